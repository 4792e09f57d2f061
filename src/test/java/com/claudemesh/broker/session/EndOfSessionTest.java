package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PROTOCOL A.6: which ends prove the peer read what was written, and the reason each end records. */
class EndOfSessionTest {

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 4000})
    void a6_aCloseFrameOfThePeer_isAHandshake_thatConfirmsWhatWasWritten(int code) {
        assertThat(EndOfSession.of(null, code)).isEqualTo(new EndOfSession("client_closed", true));
    }

    @ParameterizedTest
    @ValueSource(ints = {1002, 1003, 1006, 1007, 1009, 1010, 1011, 1015})
    void a6_anAbnormalEnd_confirmsNothing(int code) {
        assertThat(EndOfSession.of(null, code)).isEqualTo(new EndOfSession("connection_lost", false));
    }

    @Test
    void a6_aCloseByTheBroker_confirmsNothing_andRecordsTheBrokersReason() {
        assertThat(EndOfSession.of(BrokerClose.IDLE_TIMEOUT, 1000)).isEqualTo(new EndOfSession("idle_timeout", false));
        assertThat(EndOfSession.of(BrokerClose.SLOW_CONSUMER, 1006))
                .isEqualTo(new EndOfSession("slow_consumer", false));
    }
}
