package com.claudemesh.broker.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.config.BrokerProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * PROTOCOL A.8 JSONL inference end to end: real transcript files under the test context's
 * CLAUDE_PROJECTS_DIR, live presences, writes through the rule with source jsonl.
 */
class JsonlInferenceTest extends PresenceTestSupport {

    @Autowired
    JsonlInference inference;

    @Autowired
    Presences presences;

    @Autowired
    BrokerProperties properties;

    private Path projects;

    @BeforeEach
    void createProjectsDir() throws IOException {
        projects = Files.createDirectories(properties.claudeProjectsDir());
    }

    /** Without the directory the inference job is off, which keeps other tests' statuses still. */
    @AfterEach
    void deleteProjectsDir() throws IOException {
        try (Stream<Path> files = Files.walk(projects)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void a8_aTranscriptAskingForAToolMakesTheSessionWorking() throws IOException {
        String cwd = cwd("proj");
        Presence presence = presences.open(memberId, "s", 1, cwd);
        transcript(Transcripts.folderCandidates(cwd).getFirst(), TranscriptsTest.TOOL_USE);

        inference.inferLivePresences();

        assertThat(statusOf(presence.id())).isEqualTo("working/jsonl");
        assertThat(events)
                .containsExactly(
                        new Seen(new PresenceStatusChanged(presence.id(), memberId, Status.WORKING), "working"));
    }

    @Test
    void a8_windowsStyleCwdsFindTheirTranscript() throws IOException {
        String cwd = "C:\\Users\\" + tag + "\\proj";
        Presence presence = presences.open(memberId, "s", 1, cwd);
        transcript("C--Users-" + tag + "-proj", TranscriptsTest.TOOL_USE);

        inference.inferLivePresences();

        assertThat(statusOf(presence.id())).isEqualTo("working/jsonl");
    }

    @Test
    void a8_aFreshHookStatusIsNotContradictedUntilItsWindowEnds() throws IOException {
        String cwd = cwd("hooked");
        Instant now = clock.instant();
        String presence = insertPresence(1, cwd, "idle", "hook", now, now);
        transcript(Transcripts.folderCandidates(cwd).getFirst(), TranscriptsTest.TOOL_USE);

        inference.inferLivePresences();
        assertThat(statusOf(presence)).isEqualTo("idle/hook");

        clock.advance(properties.hookFreshWindow().plusSeconds(1));
        inference.inferLivePresences();
        assertThat(statusOf(presence)).isEqualTo("working/jsonl");
    }

    @Test
    void presencesOfOtherBrokerInstancesAreLeftToThem() throws IOException {
        String cwd = cwd("elsewhere");
        Instant now = clock.instant();
        String presence = insertPresence(1, cwd, "idle", "jsonl", now, now, "another-instance");
        transcript(Transcripts.folderCandidates(cwd).getFirst(), TranscriptsTest.TOOL_USE);

        inference.inferLivePresences();

        assertThat(statusOf(presence)).isEqualTo("idle/jsonl");
    }

    @Test
    void a8_inferenceNeverLeavesDnd() throws IOException {
        String cwd = cwd("dnd");
        Instant old = clock.instant().minusSeconds(600);
        String presence = insertPresence(1, cwd, "dnd", "manual", old, old);
        transcript(Transcripts.folderCandidates(cwd).getFirst(), TranscriptsTest.TOOL_USE);

        inference.inferLivePresences();

        assertThat(statusOf(presence)).isEqualTo("dnd/manual");
    }

    @Test
    void a8_withoutATranscriptAStaleStatusDecaysToIdle() {
        Instant staleHook = clock.instant().minus(properties.hookFreshWindow()).minusSeconds(1);
        String presence = insertPresence(1, cwd("none"), "working", "hook", staleHook, staleHook);

        inference.inferLivePresences();

        assertThat(statusOf(presence)).isEqualTo("idle/jsonl");
    }

    @Test
    void a8_verdictsAreCachedPerCwdForAFewSeconds() throws IOException {
        String cwd = cwd("cached");
        Presence presence = presences.open(memberId, "s", 1, cwd);
        String folder = Transcripts.folderCandidates(cwd).getFirst();
        transcript(folder, TranscriptsTest.TOOL_USE);
        inference.inferLivePresences();
        assertThat(statusOf(presence.id())).isEqualTo("working/jsonl");

        transcript(folder, TranscriptsTest.TEXT_ONLY);
        clock.advance(JsonlInference.REFRESH_EVERY.minusMillis(1));
        inference.inferLivePresences();
        assertThat(statusOf(presence.id())).isEqualTo("working/jsonl");

        clock.advance(Duration.ofMillis(1));
        inference.inferLivePresences();
        assertThat(statusOf(presence.id())).isEqualTo("idle/jsonl");
    }

    @Test
    void withoutAProjectsDirectoryNothingIsInferred() throws IOException {
        deleteProjectsDir();
        Instant staleHook = clock.instant().minus(properties.hookFreshWindow()).minusSeconds(1);
        String presence = insertPresence(1, cwd("remote"), "working", "hook", staleHook, staleHook);

        assertThat(inference.inferLivePresences()).isZero();

        assertThat(statusOf(presence)).isEqualTo("working/hook");
        Files.createDirectories(projects);
    }

    private void transcript(String folder, String... lines) throws IOException {
        Path dir = Files.createDirectories(projects.resolve(folder));
        Files.writeString(dir.resolve("session.jsonl"), String.join("\n", lines) + "\n");
    }
}
