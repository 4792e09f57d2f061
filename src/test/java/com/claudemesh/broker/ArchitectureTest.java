package com.claudemesh.broker;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** Feature packages may only use each other's public API and never form cycles. */
class ArchitectureTest {

    @Test
    void featurePackagesStayUntangled() {
        ApplicationModules.of(BrokerApplication.class).verify();
    }
}
