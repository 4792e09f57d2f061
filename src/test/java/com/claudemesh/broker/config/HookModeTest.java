package com.claudemesh.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The hook mode the start-up line names. */
class HookModeTest {

    @Test
    void open_onlyWhenBothAddressFamiliesAreAllowedWhole() {
        assertThat(HookMode.of(Cidr.parseList("X", "0.0.0.0/0,::/0"), false)).isEqualTo(HookMode.OPEN);
        assertThat(HookMode.of(Cidr.parseList("X", "0.0.0.0/0"), false)).isEqualTo(HookMode.RESTRICTED);
        assertThat(HookMode.of(Cidr.parseList("X", "10.0.0.0/8,::/0"), false)).isEqualTo(HookMode.RESTRICTED);
    }

    @Test
    void tokenRequired_whateverTheRanges() {
        assertThat(HookMode.of(Cidr.parseList("X", "0.0.0.0/0,::/0"), true)).isEqualTo(HookMode.TOKEN_REQUIRED);
        assertThat(HookMode.of(List.of(), true).wire()).isEqualTo("token_required");
    }
}
