package com.claudemesh.broker.support;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * One {@link MutableClock} for every test context of the run: the two context shapes run side by
 * side on one database and read each other's rows (hellos seen, statuses, pings), so a test that
 * moves time moves it for both.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestClockConfiguration {

    private static final MutableClock CLOCK = new MutableClock();

    @Bean
    @Primary
    MutableClock testClock() {
        return CLOCK;
    }
}
