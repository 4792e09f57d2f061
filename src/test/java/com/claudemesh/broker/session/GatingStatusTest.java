package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.presence.Status;
import com.claudemesh.broker.protocol.Priority;
import org.junit.jupiter.api.Test;

/** PROTOCOL A.7: the in-memory status that gates pushes, and the one re-read after registration. */
class GatingStatusTest {

    @Test
    void a7_aStatusEventGatesAtOnce_andSaysWhetherItAdmitsMore() {
        GatingStatus status = new GatingStatus(Status.IDLE);

        assertThat(status.changed(Status.WORKING)).isFalse();
        assertThat(status.admits(Priority.NOW)).isTrue();
        assertThat(status.admits(Priority.NEXT)).isFalse();
        assertThat(status.changed(Status.DND)).isFalse();
        assertThat(status.changed(Status.IDLE)).isTrue();
        assertThat(status.admits(Priority.LOW)).isTrue();
        assertThat(status.changed(Status.IDLE)).isFalse();
    }

    @Test
    void theReread_catchesUpOnEventsNobodyHeard() {
        GatingStatus status = new GatingStatus(Status.IDLE);
        GatingStatus.Reread reread = status.beforeReread();

        reread.apply(Status.WORKING);

        assertThat(status.admits(Priority.NEXT)).isFalse();
    }

    @Test
    void theReread_isIgnoredWhenAnEventCameAfterItStarted_soASetStatusRightAfterHelloAckStays() {
        GatingStatus status = new GatingStatus(Status.IDLE);
        GatingStatus.Reread reread = status.beforeReread();
        // The row is read while still idle; the session's set_status working commits and is heard
        // before that stale read is applied.
        status.changed(Status.WORKING);

        reread.apply(Status.IDLE);

        assertThat(status.admits(Priority.NEXT)).isFalse();
    }
}
