package com.claudemesh.broker.config;

/** A setting has a value the broker cannot run with; the message names the environment variable. */
public class InvalidConfigurationException extends RuntimeException {

    public InvalidConfigurationException(String message) {
        super(message);
    }
}
