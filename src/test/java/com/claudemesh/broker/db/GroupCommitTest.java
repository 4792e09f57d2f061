package com.claudemesh.broker.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/** The one failure policy of group commit, decided without a database. */
class GroupCommitTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    /** Writes batches of strings; "bad" items make the batch fail, and so does an unreachable database. */
    private static final class Recorder implements GroupCommit.Batch<String, Integer> {
        final List<List<String>> commits = new CopyOnWriteArrayList<>();
        final List<String> committed = new CopyOnWriteArrayList<>();
        final Map<String, RuntimeException> failed = new ConcurrentHashMap<>();
        final AtomicBoolean unreachable = new AtomicBoolean();
        final AtomicInteger attempts = new AtomicInteger();
        final CountDownLatch gate = new CountDownLatch(1);
        volatile boolean holdFirst;

        @Override
        public Integer commit(List<String> items) {
            attempts.incrementAndGet();
            if (holdFirst) {
                holdFirst = false;
                await(gate);
            }
            if (unreachable.get()) {
                throw new CannotGetJdbcConnectionException("no connection");
            }
            if (items.contains("bad")) {
                throw new DataIntegrityViolationException("bad row");
            }
            commits.add(List.copyOf(items));
            return items.size();
        }

        @Override
        public void committed(List<String> items, Integer result) {
            assertThat(result).isEqualTo(items.size());
            committed.addAll(items);
        }

        @Override
        public void failed(String item, RuntimeException cause) {
            failed.put(item, cause);
        }

        private static void await(CountDownLatch latch) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The database's state as the test sets it, and what the group commit reported of it. */
    private static final class KnownState implements Reachability {
        volatile boolean down;
        final AtomicInteger asked = new AtomicInteger();
        final List<Throwable> reported = new CopyOnWriteArrayList<>();

        @Override
        public boolean knownDown() {
            asked.incrementAndGet();
            return down;
        }

        @Override
        public void failed(Throwable failure) {
            reported.add(failure);
        }
    }

    private final List<GroupCommit<String, Integer>> started = new ArrayList<>();
    private final KnownState state = new KnownState();

    private GroupCommit<String, Integer> start(Recorder recorder, GroupCommit.WhileUnavailable policy, int maxWeight) {
        GroupCommit<String, Integer> commit =
                new GroupCommit<>("test", 1, item -> 1, maxWeight, policy, state, recorder, new SimpleMeterRegistry());
        started.add(commit);
        return commit;
    }

    @AfterEach
    void stop() {
        started.forEach(commit -> commit.stop(Duration.ofSeconds(1)));
    }

    @Test
    void whatArrivesWhileABatchIsWrittenBecomesTheNextBatch_inOrder_andBoundedByWeight() {
        Recorder recorder = new Recorder();
        recorder.holdFirst = true;
        GroupCommit<String, Integer> commit = start(recorder, GroupCommit.WhileUnavailable.FAIL, 3);

        commit.add("a");
        await().atMost(WAIT).until(() -> !recorder.holdFirst);
        List.of("b", "c", "d", "e").forEach(commit::add);
        recorder.gate.countDown();

        await().atMost(WAIT).until(() -> recorder.committed.size() == 5);
        assertThat(recorder.commits).containsExactly(List.of("a"), List.of("b", "c", "d"), List.of("e"));
        assertThat(recorder.committed).containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void rule3_aBatchThatFailsForItsContentIsWrittenItemByItem_onlyTheBadItemFails() {
        Recorder recorder = new Recorder();
        recorder.holdFirst = true;
        GroupCommit<String, Integer> commit = start(recorder, GroupCommit.WhileUnavailable.FAIL, 100);

        commit.add("first");
        await().atMost(WAIT).until(() -> !recorder.holdFirst);
        List.of("x", "bad", "y").forEach(commit::add);
        recorder.gate.countDown();

        await().atMost(WAIT).until(() -> recorder.committed.size() == 3 && recorder.failed.size() == 1);
        assertThat(recorder.committed).containsExactly("first", "x", "y");
        assertThat(recorder.failed.get("bad")).isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void rule2_withoutADatabaseEveryItemFailsAtOnce_whenItsCallerCanBeAnswered() {
        Recorder recorder = new Recorder();
        recorder.unreachable.set(true);
        GroupCommit<String, Integer> commit = start(recorder, GroupCommit.WhileUnavailable.FAIL, 100);

        List.of("a", "b").forEach(commit::add);

        await().atMost(WAIT).until(() -> recorder.failed.size() == 2);
        assertThat(recorder.failed.values()).allMatch(GroupCommit::unavailable);
        assertThat(recorder.committed).isEmpty();
    }

    @Test
    void rule2_withoutADatabaseItemsThatMustNotBeLostAreRetried_andWrittenOnceItIsBack() {
        Recorder recorder = new Recorder();
        recorder.unreachable.set(true);
        GroupCommit<String, Integer> commit = start(recorder, GroupCommit.WhileUnavailable.RETRY, 100);

        List.of("a", "b").forEach(commit::add);
        await().atMost(WAIT).until(() -> recorder.attempts.get() >= 1);
        assertThat(recorder.failed).isEmpty();
        recorder.unreachable.set(false);

        await().atMost(WAIT).until(() -> recorder.committed.size() == 2);
        assertThat(recorder.committed).containsExactlyInAnyOrder("a", "b");
        assertThat(recorder.failed).isEmpty();
    }

    @Test
    void rule2_aRetryWaitsItsTurnWithoutHoldingUpOtherItems() {
        Recorder recorder = new Recorder();
        GroupCommit<String, Integer> commit = start(recorder, GroupCommit.WhileUnavailable.RETRY, 100);
        recorder.unreachable.set(true);
        commit.add("deferred");
        await().atMost(WAIT).until(() -> recorder.attempts.get() >= 1);

        recorder.unreachable.set(false);
        commit.add("fresh");

        await().atMost(WAIT).until(() -> recorder.committed.size() == 2);
        assertThat(recorder.committed).containsExactly("fresh", "deferred");
    }

    @Test
    void rule2_aBatchThatFindsNoDatabaseSaysSo_andWhileItIsKnownDownNothingIsTried_itemsFailAtOnce() {
        Recorder recorder = new Recorder();
        recorder.unreachable.set(true);
        GroupCommit<String, Integer> commit = start(recorder, GroupCommit.WhileUnavailable.FAIL, 100);
        commit.add("a");
        await().atMost(WAIT).until(() -> recorder.failed.size() == 1);
        assertThat(state.reported).singleElement().matches(GroupCommit::unavailable);

        state.down = true;
        List.of("b", "c").forEach(commit::add);

        await().atMost(WAIT).until(() -> recorder.failed.size() == 3);
        assertThat(recorder.attempts).as("batches tried").hasValue(1);
        assertThat(recorder.failed.values()).allMatch(GroupCommit::unavailable);
    }

    @Test
    void rule2_whileTheDatabaseIsKnownDownItemsThatMustNotBeLostWaitUntried_andAreWrittenWhenItAnswers() {
        Recorder recorder = new Recorder();
        state.down = true;
        GroupCommit<String, Integer> commit = start(recorder, GroupCommit.WhileUnavailable.RETRY, 100);
        commit.add("kept");
        // Asked once when first taken and once per retry: the second ask is a retry of the batch.
        await().atMost(WAIT).until(() -> state.asked.get() >= 2);
        assertThat(recorder.attempts).as("batches tried while known down").hasValue(0);
        assertThat(recorder.failed).isEmpty();

        state.down = false;

        await().atMost(WAIT).until(() -> recorder.committed.size() == 1);
        assertThat(recorder.committed).containsExactly("kept");
        assertThat(recorder.failed).isEmpty();
    }

    @Test
    void rule5_stopWritesWhatIsQueued_andFailsWhatWaitsForARetry() {
        Recorder recorder = new Recorder();
        recorder.unreachable.set(true);
        GroupCommit<String, Integer> commit = start(recorder, GroupCommit.WhileUnavailable.RETRY, 100);
        commit.add("waiting");
        await().atMost(WAIT).until(() -> recorder.attempts.get() >= 1);

        commit.stop(Duration.ofSeconds(2));

        assertThat(recorder.failed).containsOnlyKeys("waiting");
        assertThat(commit.add("late")).isFalse();
    }
}
