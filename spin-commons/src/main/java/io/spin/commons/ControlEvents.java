package io.spin.commons;

import java.time.Clock;
import java.util.UUID;

import io.spin.contract.ControlEvent;

/** Wraps a payload in the control topic's envelope: run id, a fresh event id, producer id and time. */
public final class ControlEvents {
    private final String producerId;
    private final Clock clock;

    public ControlEvents(String producerId, Clock clock) {
        this.producerId = producerId;
        this.clock = clock;
    }

    public ControlEvents(String producerId) {
        this(producerId, Clock.systemUTC());
    }

    public String producerId() {
        return producerId;
    }

    public ControlEvent of(String runId, Object payload) {
        return of(runId, UUID.randomUUID().toString(), payload);
    }

    /**
     * An event whose id says what it is ({@code pairs-completed/<run>/<t>}, say), for a fact a writer may publish
     * again after a crash: readers that skip ids they have applied see it once.
     */
    public ControlEvent of(String runId, String eventId, Object payload) {
        return ControlEvent.newBuilder().setRunId(runId).setEventId(eventId).setProducerId(producerId)
                .setTimestamp(clock.instant()).setPayload(payload).build();
    }

    /** A producer id for this process: the service name plus a random suffix, unless one is configured. */
    public static String instanceId(String service, String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return service + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
