package io.imaginefleet.common.job;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A job that cannot be run as sent: undecodable (code {@link FailureCode#MALFORMED}) or breaking validation rules
 * ({@link FailureCode#INVALID}, {@link FailureCode#UNKNOWN_MODEL}). The message names every field at fault and is
 * safe to show to the user.
 */
public class InvalidJobException extends RuntimeException {
    private final String code;
    private final List<Violation> violations;

    public InvalidJobException(String code, List<Violation> violations) {
        super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        this.code = code;
        this.violations = List.copyOf(violations);
    }

    public InvalidJobException(String code, String field, String message) {
        this(code, List.of(new Violation(field, message)));
    }

    /** A {@link FailureCode} value. */
    public String code() {
        return code;
    }

    public List<Violation> violations() {
        return violations;
    }

    /** The first field at fault. */
    public String field() {
        return violations.isEmpty() ? null : violations.get(0).field();
    }
}
