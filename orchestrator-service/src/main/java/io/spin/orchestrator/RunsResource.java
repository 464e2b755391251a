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
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "201", description = "The run's report; Location: /runs/{id}",
            content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = RunReport.Report.class)))
    public Response submit(RunRequest request) {
        try {
            String runId = orchestrator.submit(request);
            return Response.created(java.net.URI.create("/runs/" + runId)).entity(orchestrator.report(runId)).build();
        } catch (InvalidRunRequest e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("field", e.field(), "message", e.getMessage())).build();
        } catch (IllegalStateException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity(Map.of("message", e.getMessage())).build();
        }
    }

    static final int MAX_LIMIT = 1000;

    @GET
    @Operation(summary = "Runs, newest first, a page at a time",
            description = "offset (default 0) and limit (default 100, at most 1000); X-Total-Count gives the number of runs and a Link header"
                    + " with rel=next the next page")
    public Response list(@jakarta.ws.rs.QueryParam("offset") @jakarta.ws.rs.DefaultValue("0") int offset,
                         @jakarta.ws.rs.QueryParam("limit") @jakarta.ws.rs.DefaultValue("100") int limit) {
        if (offset < 0 || limit < 1 || limit > MAX_LIMIT) {
            String field = offset < 0 ? "offset" : "limit";
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("field", field, "message",
                    field + " must be " + (offset < 0 ? ">= 0" : "1.." + MAX_LIMIT) + ", not " + (offset < 0 ? offset : limit))).build();
        }
        List<Map<String, Object>> rows = all();
        List<Map<String, Object>> page = rows.subList(Math.min(offset, rows.size()), Math.min(rows.size(), offset + limit));
        Response.ResponseBuilder response = Response.ok(page).header("X-Total-Count", rows.size());
        if (offset + limit < rows.size()) {
            response.link(java.net.URI.create("/runs?offset=" + (offset + limit) + "&limit=" + limit), "next");
        }
        return response.build();
    }

    private List<Map<String, Object>> all() {
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        orchestrator.finishedBefore().forEach(s -> rows.add(Map.of("runId", s.getRunId(), "status", s.getStatus().name(),
                "progress", RunReport.progress(s), "requestedAt", s.getRequestedAt().toString())));
        orchestrator.reports().stream().filter(r -> r.requestedAt() != null).forEach(report -> rows.add(Map.of("runId", report.runId(),
                "status", report.status(), "progress", report.progress(), "requestedAt", report.requestedAt())));
        rows.sort(java.util.Comparator.comparing((Map<String, Object> row) -> java.time.Instant.parse((String) row.get("requestedAt"))).reversed());
        return rows;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One run: status, progress, and per-iteration metrics (the report)")
    public RunReport.Report get(@PathParam("id") String id) {
        RunReport.Report report = orchestrator.report(id);
        if (report == null) {
            throw notFound(id);
        }
        return report;
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @org.jboss.resteasy.reactive.RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "A run's report as server-sent events: now, then at each change, ending with the run")
    public io.smallrye.mutiny.Multi<RunReport.Report> events(@PathParam("id") String id) {
        if (orchestrator.report(id) == null) {
            throw notFound(id);
        }
        if (openStreams.incrementAndGet() > config.api().maxEventStreams()) {
            openStreams.decrementAndGet();
            throw new jakarta.ws.rs.WebApplicationException(Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", 5)
                    .type(MediaType.APPLICATION_JSON).entity(Map.of("message", config.api().maxEventStreams() + " report streams are open, the most "
                            + "this orchestrator serves (spin.api.max-event-streams); read GET /runs/" + id + " or try again shortly")).build());
        }
        java.util.concurrent.atomic.AtomicReference<RunReport.Report> last = new java.util.concurrent.atomic.AtomicReference<>();
        return io.smallrye.mutiny.Multi.createFrom().<RunReport.Report>emitter(emitter -> {
            // pushed as the orchestrator publishes each report, the current one first. Each push sends the latest
            // report, read and emitted under one lock, so the stream never goes back to an older one when the first
            // send and a publication race; a report sent twice is dropped below. The run's last report ends it.
            Object order = new Object();
            Runnable send = () -> {
                synchronized (order) {
                    RunReport.Report report = orchestrator.report(id);
                    emitter.emit(report);
                    if (!report.status().equals("RUNNING")) {
                        emitter.complete();
                    }
                }
            };
            Runnable unfollow = orchestrator.follow(id, published -> send.run());
            emitter.onTermination(() -> {
                unfollow.run();
                openStreams.decrementAndGet();
            });
            send.run();
        }, io.smallrye.mutiny.subscription.BackPressureStrategy.BUFFER)
                .select().where(report -> !report.equals(last.getAndSet(report)));
    }

    /** Report streams open now, each holding a connection: capped at {@code spin.api.max-event-streams}. */
    private static final java.util.concurrent.atomic.AtomicInteger openStreams = new java.util.concurrent.atomic.AtomicInteger();

    @Inject
    OrchestratorConfig config;

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Cancel a run")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "202", description = "The run's report as it stands",
            content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = RunReport.Report.class)))
    public Response cancel(@PathParam("id") String id) {
        if (!orchestrator.cancel(id)) {
            throw notFound(id);
        }
        return Response.accepted(orchestrator.report(id)).build();
    }

    private static NotFoundException notFound(String id) {
        return new NotFoundException(Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("message", "no run '" + id + "'")).build());
    }
}
