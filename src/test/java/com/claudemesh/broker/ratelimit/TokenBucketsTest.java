package com.claudemesh.broker.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one rate-limit algorithm: sends (A.4), hooks (A.9), joins, hellos and frames per socket. */
class TokenBucketsTest {

    private final MutableClock clock = new MutableClock();

    private TokenBuckets buckets(int maxKeys, double capacity, double perMinute) {
        return new TokenBuckets(clock, maxKeys, capacity, perMinute);
    }

    @Test
    void aBurstUpToCapacityPassesThenTheBucketIsEmpty() {
        TokenBuckets buckets = buckets(3, 5, 60);
        for (int i = 0; i < 5; i++) {
            assertThat(buckets.tryAcquire("a")).isTrue();
        }
        assertThat(buckets.tryAcquire("a")).isFalse();
    }

    @Test
    void refillsAtThePerMinuteRateUpToCapacity() {
        TokenBuckets buckets = buckets(3, 2, 60);
        while (buckets.tryAcquire("a")) {
            // empty it
        }
        clock.advance(Duration.ofMillis(999));
        assertThat(buckets.tryAcquire("a")).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(buckets.tryAcquire("a")).isTrue();
        clock.advance(Duration.ofHours(1));
        assertThat(buckets.tryAcquire("a")).isTrue();
        assertThat(buckets.tryAcquire("a")).isTrue();
        assertThat(buckets.tryAcquire("a")).isFalse();
    }

    @Test
    void keysHaveIndependentBuckets() {
        TokenBuckets buckets = buckets(3, 1, 1);
        assertThat(buckets.tryAcquire("a")).isTrue();
        assertThat(buckets.tryAcquire("a")).isFalse();
        assertThat(buckets.tryAcquire("b")).isTrue();
    }

    @Test
    void memoryIsBoundedDroppingTheLeastRecentlyUsedBucket() {
        TokenBuckets buckets = buckets(3, 1, 1);
        buckets.tryAcquire("a");
        buckets.tryAcquire("b");
        buckets.tryAcquire("c");
        buckets.tryAcquire("d");

        assertThat(buckets.size()).isEqualTo(3);
        // "a" was the eldest: it was forgotten, so it starts full again.
        assertThat(buckets.tryAcquire("a")).isTrue();
        assertThat(buckets.tryAcquire("d")).isFalse();
    }

    @Test
    void fullBucketsAreEvicted() {
        TokenBuckets buckets = buckets(3, 2, 60);
        buckets.tryAcquire("a");
        buckets.tryAcquire("b");
        clock.advance(Duration.ofSeconds(1));

        buckets.evictFull();

        assertThat(buckets.size()).isZero();
    }

    @Test
    void aSingleBucketHoldsItsCapacityAndRefillsPerSecond() {
        TokenBucket frames = new TokenBucket(clock, 4, 2);
        for (int i = 0; i < 4; i++) {
            assertThat(frames.tryTake()).isTrue();
        }
        assertThat(frames.tryTake()).isFalse();
        clock.advance(Duration.ofMillis(500));
        assertThat(frames.tryTake()).isTrue();
        assertThat(frames.tryTake()).isFalse();
    }
}
