package com.claudemesh.broker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class BrokerApplication {

    public static void main(String[] args) {
        try {
            SpringApplication.run(BrokerApplication.class, args);
        } catch (RuntimeException startupFailure) {
            // Already reported (one line for configuration mistakes, Spring's analysis otherwise).
            System.exit(1);
        }
    }
}
