package io.spin.orchestrator;

import java.util.Map;
import java.util.stream.Collectors;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * A request body that does not map onto the request is refused with 400 naming the field by its path
 * ("sampling.tempertaure"): a typo such as "betas" would otherwise run silently with the default.
 */
@Provider
public class UnknownFieldMapper implements ExceptionMapper<MismatchedInputException> {
    @Override
    public Response toResponse(MismatchedInputException e) {
        String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        String message = e instanceof UnrecognizedPropertyException u
                ? "unknown field '" + field + "'; known here: " + u.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                        .collect(Collectors.joining(", "))
                : "field '" + field + "' has the wrong type: " + e.getOriginalMessage().split("\n")[0];
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("field", field, "message", message)).build();
    }
}
