package com.claudemesh.broker.invite;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.LimitedBroker;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code POST /join} per client address (JOIN_RATE_LIMIT_PER_IP_PER_MIN), on the limited broker. */
@LimitedBroker
class JoinRateLimitTest extends BrokerIntegrationTest {

    private HttpResponse<String> joinFrom(String address) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri("/join"))
                        .header("Content-Type", "application/json")
                        .header("X-Forwarded-For", address)
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a10_moreThanTheLimitPerIpAndMinuteAnswers429UntilTokensRefill() throws Exception {
        String address = "198.51.100.30";
        for (int i = 0; i < LimitedBroker.JOINS_PER_MINUTE; i++) {
            assertThat(joinFrom(address).statusCode()).isEqualTo(400);
        }

        HttpResponse<String> limited = joinFrom(address);

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).isEqualTo("{\"ok\":false,\"error\":\"rate limited\"}");
        assertThat(joinFrom("198.51.100.31").statusCode()).as("another address").isEqualTo(400);
        clock.advance(Duration.ofSeconds(60 / LimitedBroker.JOINS_PER_MINUTE));
        assertThat(joinFrom(address).statusCode()).isEqualTo(400);
        assertThat(joinFrom(address).statusCode()).isEqualTo(429);
    }
}
