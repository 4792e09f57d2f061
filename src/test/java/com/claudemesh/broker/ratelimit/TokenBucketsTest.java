package com.claudemesh.broker.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The rate limits of A.4 (sends), A.9 (hooks) and /join share this bucket arithmetic. */
class TokenBucketsTest {

    private final MutableClock clock = new MutableClock();
    private final TokenBuckets buckets = new TokenBuckets(clock, 3);

    @Test
    void aBurstUpToCapacityPassesThenTheBucketIsEmpty() {
        for (int i = 0; i < 5; i++) {
            assertThat(buckets.tryAcquire("a", 5, 60)).isTrue();
        }
        assertThat(buckets.tryAcquire("a", 5, 60)).isFalse();
    }

    @Test
    void refillsAtThePerMinuteRateUpToCapacity() {
        while (buckets.tryAcquire("a", 2, 60)) {
            // empty it
        }
        clock.advance(Duration.ofMillis(999));
        assertThat(buckets.tryAcquire("a", 2, 60)).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(buckets.tryAcquire("a", 2, 60)).isTrue();
        clock.advance(Duration.ofHours(1));
        assertThat(buckets.tryAcquire("a", 2, 60)).isTrue();
        assertThat(buckets.tryAcquire("a", 2, 60)).isTrue();
        assertThat(buckets.tryAcquire("a", 2, 60)).isFalse();
    }

    @Test
    void keysHaveIndependentBuckets() {
        assertThat(buckets.tryAcquire("a", 1, 1)).isTrue();
        assertThat(buckets.tryAcquire("a", 1, 1)).isFalse();
        assertThat(buckets.tryAcquire("b", 1, 1)).isTrue();
    }

    @Test
    void memoryIsBoundedDroppingTheLeastRecentlyUsedBucket() {
        buckets.tryAcquire("a", 1, 1);
        buckets.tryAcquire("b", 1, 1);
        buckets.tryAcquire("c", 1, 1);
        buckets.tryAcquire("d", 1, 1);

        assertThat(buckets.size()).isEqualTo(3);
        // "a" was the eldest: it was forgotten, so it starts full again.
        assertThat(buckets.tryAcquire("a", 1, 1)).isTrue();
        assertThat(buckets.tryAcquire("d", 1, 1)).isFalse();
    }

    @Test
    void fullBucketsAreEvicted() {
        buckets.tryAcquire("a", 2, 60);
        buckets.tryAcquire("b", 2, 60);
        clock.advance(Duration.ofSeconds(1));

        buckets.evictFull(2, 60);

        assertThat(buckets.size()).isZero();
    }
}
