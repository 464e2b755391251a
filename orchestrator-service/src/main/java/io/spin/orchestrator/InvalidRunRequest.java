package io.spin.orchestrator;

/** A run request that cannot be accepted; names the field. Answered with HTTP 400. */
public class InvalidRunRequest extends RuntimeException {
    private final String field;

    public InvalidRunRequest(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
