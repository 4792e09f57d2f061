package com.claudemesh.broker.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** PROTOCOL A.8 "JSONL inference" on real transcript files in a temporary projects directory. */
class TranscriptsTest {

    static final String TOOL_USE = """
            {"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"Running tests"},\
            {"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"mvn test"}}]}}""";
    static final String TEXT_ONLY = """
            {"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"Done."}]}}""";
    static final String USER = """
            {"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"}]}}""";
    private static final Duration STALE_AFTER = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private Path projects;
    private Transcripts transcripts;
    private Instant now;

    @BeforeEach
    void setUp() throws IOException {
        projects = Files.createDirectory(root.resolve("projects"));
        transcripts = new Transcripts(projects, JsonMapper.builder().build());
        now = Instant.now();
    }

    @Test
    void a8Candidates_linuxAndMacosPathsGiveOneFolderName() {
        assertThat(Transcripts.folderCandidates("/home/a/proj")).containsExactly("-home-a-proj");
        assertThat(Transcripts.folderCandidates("/Users/a/proj")).containsExactly("-Users-a-proj");
    }

    @Test
    void a8Candidates_windowsPathsInTheOrderOfTheProtocol() {
        assertThat(Transcripts.folderCandidates("C:\\Users\\a\\proj"))
                .containsExactly(
                        "C--Users-a-proj",
                        "C:\\Users\\a\\proj",
                        "C:-Users-a-proj",
                        "-Users-a-proj",
                        "-C--Users-a-proj",
                        "-C:\\Users\\a\\proj",
                        "-C:-Users-a-proj");
    }

    @Test
    void a8Candidates_aRelativePathAlsoGetsALeadingDash() {
        assertThat(Transcripts.folderCandidates("proj/sub")).containsExactly("proj-sub", "-proj-sub");
    }

    @Test
    void a8_linuxCwd_lastAssistantMessageWithToolUseMeansWorking() throws IOException {
        write("-home-a-proj", "s1.jsonl", USER, TOOL_USE, USER);

        assertThat(transcripts.list().infer("/home/a/proj", now, STALE_AFTER)).isEqualTo(Status.WORKING);
    }

    @Test
    void a8_macosCwd_lastAssistantMessageWithoutToolUseMeansIdle() throws IOException {
        write("-Users-a-proj", "s1.jsonl", TOOL_USE, USER, TEXT_ONLY);

        assertThat(transcripts.list().infer("/Users/a/proj", now, STALE_AFTER)).isEqualTo(Status.IDLE);
    }

    @Test
    void a8_windowsCwd_foundUnderTheFirstCandidate() throws IOException {
        write("C--Users-a-proj", "s1.jsonl", TOOL_USE);

        assertThat(transcripts.list().infer("C:\\Users\\a\\proj", now, STALE_AFTER))
                .isEqualTo(Status.WORKING);
    }

    @Test
    void a8_windowsCwd_foundUnderTheDriveLessCandidate() throws IOException {
        write("-Users-a-proj", "s1.jsonl", TOOL_USE);

        assertThat(transcripts.list().infer("C:\\Users\\a\\proj", now, STALE_AFTER))
                .isEqualTo(Status.WORKING);
    }

    @Test
    void a8_anEarlierCandidateWithATranscriptWins() throws IOException {
        write("-Users-a-proj", "s1.jsonl", TOOL_USE);
        write("C--Users-a-proj", "s1.jsonl", TEXT_ONLY);

        assertThat(transcripts.list().infer("C:\\Users\\a\\proj", now, STALE_AFTER))
                .isEqualTo(Status.IDLE);
    }

    @Test
    void a8_noTranscriptMeansIdle() throws IOException {
        assertThat(transcripts.list().infer("/home/a/none", now, STALE_AFTER)).isEqualTo(Status.IDLE);
        Files.createDirectory(projects.resolve("-home-a-empty"));
        assertThat(transcripts.list().infer("/home/a/empty", now, STALE_AFTER)).isEqualTo(Status.IDLE);
    }

    @Test
    void a8_theNewestTranscriptOfTheFolderCounts() throws IOException {
        Path older = write("-home-a-proj", "old.jsonl", TEXT_ONLY);
        Path newer = write("-home-a-proj", "new.jsonl", TOOL_USE);
        Files.setLastModifiedTime(older, FileTime.from(now.minusSeconds(5)));
        Files.setLastModifiedTime(newer, FileTime.from(now.minusSeconds(1)));
        assertThat(transcripts.list().infer("/home/a/proj", now, STALE_AFTER)).isEqualTo(Status.WORKING);

        Files.setLastModifiedTime(older, FileTime.from(now));
        assertThat(transcripts.list().infer("/home/a/proj", now, STALE_AFTER)).isEqualTo(Status.IDLE);
    }

    @Test
    void a8_onlyTheLast8KibAreRead() throws IOException {
        String filler = USER.repeat(1); // about 110 bytes per line
        String[] lines = new String[1 + (Transcripts.TAIL_BYTES / filler.length()) + 2];
        lines[0] = TOOL_USE;
        for (int i = 1; i < lines.length; i++) {
            lines[i] = filler;
        }
        write("-home-a-proj", "s1.jsonl", lines);

        assertThat(transcripts.list().infer("/home/a/proj", now, STALE_AFTER)).isEqualTo(Status.IDLE);
    }

    @Test
    void a8_linesThatAreNotJsonAreSkipped() throws IOException {
        write("-home-a-proj", "s1.jsonl", TOOL_USE, "{not json", "");

        assertThat(transcripts.list().infer("/home/a/proj", now, STALE_AFTER)).isEqualTo(Status.WORKING);
    }

    @Test
    void aTranscriptUnchangedForTheStatusTtlMeansIdle() throws IOException {
        Path file = write("-home-a-proj", "s1.jsonl", TOOL_USE);
        Files.setLastModifiedTime(file, FileTime.from(now.minus(STALE_AFTER).minusSeconds(1)));

        assertThat(transcripts.list().infer("/home/a/proj", now, STALE_AFTER)).isEqualTo(Status.IDLE);
    }

    @Test
    void aCwdCannotReachOutsideTheProjectsDirectory() throws IOException {
        Files.writeString(root.resolve("escaped.jsonl"), TOOL_USE + "\n");

        assertThat(transcripts.list().infer("..", now, STALE_AFTER)).isEqualTo(Status.IDLE);
    }

    @Test
    void aListingIsOneReadingOfTheProjectsDirectory_aFolderMadeLaterIsSeenByTheNextListing() throws IOException {
        Transcripts.Listing before = transcripts.list();
        write("-home-a-proj", "s1.jsonl", TOOL_USE);

        assertThat(before.infer("/home/a/proj", now, STALE_AFTER)).isEqualTo(Status.IDLE);
        assertThat(transcripts.list().infer("/home/a/proj", now, STALE_AFTER)).isEqualTo(Status.WORKING);
    }

    private Path write(String folder, String file, String... lines) throws IOException {
        Path dir = Files.createDirectories(projects.resolve(folder));
        return Files.writeString(dir.resolve(file), String.join("\n", lines) + "\n");
    }
}
