package io.spin.orchestrator;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

/** Runs: submit, list, inspect (state, progress and per-iteration metrics), cancel. */
@Path("/runs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RunsResource {
    @Inject
    Orchestrator orchestrator;

    @POST
    @Operation(summary = "Start a SPIN run", description = "400 names the invalid field or dataset line")
    public Response submit(RunRequest request) {
        try {
            RunView run = orchestrator.submit(request);
            return Response.status(Response.Status.CREATED).entity(RunReport.of(run)).build();
        } catch (InvalidRunRequest e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("field", e.field(), "message", e.getMessage())).build();
        } catch (IllegalStateException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity(Map.of("message", e.getMessage())).build();
        }
    }

    @GET
    @Operation(summary = "All runs, newest last")
    public List<Map<String, Object>> list() {
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        orchestrator.finishedBefore().forEach(s -> rows.add(Map.of("runId", s.getRunId(), "status", s.getStatus().name(),
                "progress", RunReport.progress(s), "requestedAt", s.getRequestedAt().toString())));
        orchestrator.all().stream().filter(r -> r.requestedAt != null).forEach(r -> {
            Map<String, Object> report = RunReport.of(r);
            rows.add(Map.of("runId", r.runId, "status", report.get("status"), "progress", report.get("progress"),
                    "requestedAt", String.valueOf(report.get("requestedAt"))));
        });
        rows.sort(java.util.Comparator.comparing(row -> java.time.Instant.parse((String) row.get("requestedAt"))));
        return rows;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One run: status, progress, and per-iteration metrics (the report)")
    public Map<String, Object> get(@PathParam("id") String id) {
        RunView run = orchestrator.run(id);
        if (run == null || run.config == null) {
            throw new NotFoundException("no run '" + id + "'");
        }
        return RunReport.of(run);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Cancel a run")
    public Response cancel(@PathParam("id") String id) {
        if (!orchestrator.cancel(id)) {
            throw new NotFoundException("no run '" + id + "'");
        }
        return Response.accepted(RunReport.of(orchestrator.run(id))).build();
    }
}
