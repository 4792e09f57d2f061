package com.claudemesh.broker.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** What a run needs of every client session once it is connected, whichever client speaks for it. */
interface BenchSession {

    /** Whether the socket is still open and was not closed by us. */
    boolean open();

    /** Orderly close (1000); aborts after {@code timeout}. Completes with the close code, -1 if none. */
    CompletableFuture<Integer> close(Duration timeout);
}
