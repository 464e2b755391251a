package io.spin.commons.kafka;

import io.spin.contract.ControlEvent;

/** Where a service writes its reports (its own report topic), returning once each is stored. */
@FunctionalInterface
public interface Reports {
    void publish(ControlEvent event);
}
