package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * PROTOCOL A.13: the shutdown steps (refuse sockets, close sessions with 1001, release presences)
 * run in their order while the database is still open.
 */
class GracefulShutdownTest {

    static final List<String> ran = new CopyOnWriteArrayList<>();

    @Configuration(proxyBeanMethods = false)
    static class RecordingSteps {

        @Bean
        ShutdownStep releasePresences(JdbcTemplate jdbc) {
            return step(ShutdownStep.RELEASE_PRESENCES, "release", jdbc);
        }

        @Bean
        ShutdownStep stopAccepting(JdbcTemplate jdbc) {
            return step(ShutdownStep.STOP_ACCEPTING, "stop-accepting", jdbc);
        }

        @Bean
        ShutdownStep closeSessions(JdbcTemplate jdbc) {
            return step(ShutdownStep.CLOSE_SESSIONS, "close-sessions", jdbc);
        }

        private static ShutdownStep step(int order, String name, JdbcTemplate jdbc) {
            return new ShutdownStep() {
                @Override
                public void shutDown() {
                    Integer one = jdbc.queryForObject("SELECT 1", Integer.class);
                    ran.add(name + ":db=" + one);
                }

                @Override
                public int getOrder() {
                    return order;
                }
            };
        }
    }

    @Test
    void runsTheStepsInOrderBeforeTheDatabaseCloses() {
        ran.clear();
        StandaloneBroker broker = StandaloneBroker.start(TestDatabase.shared(), List.of(RecordingSteps.class));

        broker.close();

        assertThat(ran).containsExactly("stop-accepting:db=1", "close-sessions:db=1", "release:db=1");
    }
}
