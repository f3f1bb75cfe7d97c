package io.imaginefleet.engine.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Outcome of one fixture case: every check made, with its figures. */
public final class CaseResult {

    /** One comparison. {@code diff} is null for exact (id / count) checks. */
    public record Check(String name, boolean passed, String detail, Diff diff) {
    }

    private final String id;
    private final String kind;
    private final List<Check> checks = new ArrayList<>();
    private String error;

    CaseResult(String id, String kind) {
        this.id = id;
        this.kind = kind;
    }

    public String id() {
        return id;
    }

    public String kind() {
        return kind;
    }

    public List<Check> checks() {
        return checks;
    }

    public String error() {
        return error;
    }

    void fail(String message) {
        this.error = message;
    }

    public boolean passed() {
        return error == null && !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    void exact(String name, boolean ok, String detail) {
        checks.add(new Check(name, ok, detail, null));
    }

    /** Relative L2 must be within {@code tol}. */
    void tensor(Diff d, double tol) {
        checks.add(new Check(d.name(), d.relL2() <= tol, "relL2 " + Diff.fmt(d.relL2()) + " (tol " + Diff.fmt(tol) + ")", d));
    }

    /** Max-abs must be within {@code tol}. */
    void absolute(Diff d, double tol) {
        checks.add(new Check(d.name(), d.maxAbs() <= tol, "max|Δ| " + Diff.fmt(d.maxAbs()) + " (tol " + Diff.fmt(tol) + ")", d));
    }

    /** Max-abs relative to the reference's max magnitude must be within {@code tol}. */
    void relativeMax(Diff d, double tol) {
        checks.add(new Check(d.name(), d.maxRel() <= tol,
                "max|Δ|/max|ref| " + Diff.fmt(d.maxRel()) + " (tol " + Diff.fmt(tol) + ")", d));
    }

    /** The one-line report: status, id, worst figures, and what failed. */
    public String line() {
        StringBuilder sb = new StringBuilder(passed() ? "PASS " : "FAIL ").append(String.format(Locale.ROOT, "%-36s", id));
        Check worstL2 = null;
        Check worstRel = null;
        int exact = 0;
        for (Check c : checks) {
            if (c.diff() == null) {
                exact++;
                continue;
            }
            if (worstL2 == null || c.diff().relL2() > worstL2.diff().relL2()) {
                worstL2 = c;
            }
            if (worstRel == null || c.diff().maxRel() > worstRel.diff().maxRel()) {
                worstRel = c;
            }
        }
        if (worstL2 != null) {
            sb.append(" relL2 ").append(Diff.fmt(worstL2.diff().relL2())).append(" (").append(worstL2.name()).append(")")
                    .append("  max|Δ|/max|ref| ").append(Diff.fmt(worstRel.diff().maxRel())).append(" (").append(worstRel.name()).append(")");
        }
        checks.stream().filter(c -> c.name().equals("image")).findFirst()
                .ifPresent(c -> sb.append("  image max|Δ| ").append(Diff.fmt(c.diff().maxAbs())));
        if (exact > 0) {
            sb.append("  exact ").append(checks.stream().filter(c -> c.diff() == null && c.passed()).count()).append('/').append(exact);
        }
        for (Check c : checks) {
            if (!c.passed()) {
                sb.append("\n     ✗ ").append(c.name()).append(": ").append(c.detail());
            }
        }
        if (error != null) {
            sb.append("\n     ✗ ").append(error);
        }
        return sb.toString();
    }
}
