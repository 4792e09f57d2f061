package com.claudemesh.broker.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.config.Cidr;
import com.claudemesh.broker.presence.HookAccess.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule of who may call the status hook (docs/status-model.md, "Who may call the hook"). */
class HookAccessTest {

    private static final List<Cidr> EVERYWHERE = ranges("0.0.0.0/0", "::/0");

    @Test
    void v1Default_aTokenlessCallIsTakenFromAnyAddress() {
        HookAccess open = new HookAccess(EVERYWHERE, false);

        assertThat(open.decide(false, "203.0.113.9")).isEqualTo(Verdict.BY_ADDRESS);
        assertThat(open.decide(false, "2001:db8::1")).isEqualTo(Verdict.BY_ADDRESS);
    }

    @Test
    void aCallWithATokenIsJudgedByItsTokenAlone_fromAnywhere_inEveryMode() {
        for (HookAccess access : List.of(
                new HookAccess(EVERYWHERE, false),
                new HookAccess(ranges("10.0.0.0/8"), false),
                new HookAccess(ranges("10.0.0.0/8"), true))) {
            assertThat(access.decide(true, "203.0.113.9")).isEqualTo(Verdict.BY_TOKEN);
        }
    }

    @Test
    void hookAllowedCidrs_aTokenlessCallFromOutsideIsRefused() {
        HookAccess restricted = new HookAccess(ranges("10.0.0.0/8", "fd00::/8"), false);

        assertThat(restricted.decide(false, "10.20.30.40")).isEqualTo(Verdict.BY_ADDRESS);
        assertThat(restricted.decide(false, "fd12::7")).isEqualTo(Verdict.BY_ADDRESS);
        assertThat(restricted.decide(false, "11.0.0.1")).isEqualTo(Verdict.ADDRESS_NOT_ALLOWED);
        assertThat(restricted.decide(false, "127.0.0.1"))
                .as("the loopback is no exception to the ranges")
                .isEqualTo(Verdict.ADDRESS_NOT_ALLOWED);
    }

    @Test
    void hookRequireToken_aTokenlessCallIsTakenFromTheLoopbackOnly() {
        HookAccess strict = new HookAccess(EVERYWHERE, true);

        assertThat(strict.decide(false, "127.0.0.1")).isEqualTo(Verdict.BY_ADDRESS);
        assertThat(strict.decide(false, "127.8.9.10")).isEqualTo(Verdict.BY_ADDRESS);
        assertThat(strict.decide(false, "::1")).isEqualTo(Verdict.BY_ADDRESS);
        assertThat(strict.decide(false, "10.0.0.1")).isEqualTo(Verdict.TOKEN_REQUIRED);
        assertThat(strict.decide(false, "::ffff:10.0.0.1")).isEqualTo(Verdict.TOKEN_REQUIRED);
    }

    @Test
    void anAddressThatIsNoLiteralIsInNoRange() {
        assertThat(new HookAccess(EVERYWHERE, false).decide(false, "localhost")).isEqualTo(Verdict.ADDRESS_NOT_ALLOWED);
        assertThat(new HookAccess(EVERYWHERE, true).decide(false, "localhost")).isEqualTo(Verdict.TOKEN_REQUIRED);
    }

    private static List<Cidr> ranges(String... ranges) {
        return List.of(ranges).stream().map(r -> Cidr.parse(r).orElseThrow()).toList();
    }
}
