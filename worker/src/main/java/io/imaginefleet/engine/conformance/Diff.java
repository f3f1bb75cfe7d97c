package io.imaginefleet.engine.conformance;

import java.util.Locale;

/**
 * Error figures of one tensor against its reference: relative L2 ({@code ||a-r|| / ||r||}), max-abs relative to the
 * reference's largest magnitude ({@code max|a-r| / max|r|}) and plain max-abs.
 */
public record Diff(String name, double relL2, double maxRel, double maxAbs) {

    public static Diff of(String name, float[] actual, float[] reference) {
        if (actual.length != reference.length) {
            throw new IllegalArgumentException(name + ": " + actual.length + " values, reference has " + reference.length);
        }
        double num = 0;
        double den = 0;
        double maxAbs = 0;
        double maxRef = 0;
        for (int i = 0; i < actual.length; i++) {
            double a = actual[i];
            double r = reference[i];
            double d = a - r;
            if (Double.isNaN(d)) {
                return new Diff(name, Double.NaN, Double.NaN, Double.NaN);
            }
            num += d * d;
            den += r * r;
            maxAbs = Math.max(maxAbs, Math.abs(d));
            maxRef = Math.max(maxRef, Math.abs(r));
        }
        double relL2 = den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
        double maxRel = maxRef == 0 ? maxAbs : maxAbs / maxRef;
        return new Diff(name, relL2, maxRel, maxAbs);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
