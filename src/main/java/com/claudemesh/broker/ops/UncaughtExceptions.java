package com.claudemesh.broker.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A thread that dies of an exception is logged as one structured log line (PROTOCOL Part D) with
 * the thread's name and the exception, instead of the JVM's plain-text stack trace on stderr that
 * log shippers cannot parse. Every thread the broker starts handles its own failures; this is the
 * net under a defect.
 */
@Component
class UncaughtExceptions {

    private static final Logger log = LoggerFactory.getLogger(UncaughtExceptions.class);

    UncaughtExceptions() {
        Thread.setDefaultUncaughtExceptionHandler(UncaughtExceptions::died);
    }

    static void died(Thread thread, Throwable failure) {
        log.atError()
                .addKeyValue("thread_name", thread.getName())
                .addKeyValue("error", failure.getClass().getSimpleName())
                .setCause(failure)
                .log("A thread died of an unexpected exception");
    }
}
