package com.claudemesh.broker.presence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads Claude Code transcripts to guess a session's status (PROTOCOL A.8, "JSONL inference"). File
 * I/O: callers keep it off the delivery path. A pass over many sessions reads the projects directory
 * once ({@link #list}) and looks every cwd's folder names up in that listing, so a session without
 * transcripts costs no system call — a broker with 10 000 sessions of other machines would
 * otherwise stat tens of thousands of absent folders every pass.
 */
final class Transcripts {

    static final int TAIL_BYTES = 8 * 1024;

    private static final Pattern DRIVE_LETTER = Pattern.compile("^[A-Za-z]:");

    private final Path projectsDir;
    private final JsonMapper json;

    Transcripts(Path projectsDir, JsonMapper json) {
        this.projectsDir = projectsDir.toAbsolutePath().normalize();
        this.json = json;
    }

    boolean available() {
        return Files.isDirectory(projectsDir);
    }

    /**
     * The transcript folder names Claude Code may have used for {@code cwd}, in the order of A.8:
     * {@code \ / :} replaced; {@code /} replaced; {@code \ /} replaced; without a drive letter, {@code
     * \ /} replaced; then each of those not starting with {@code -} with one added; no duplicates.
     */
    static List<String> folderCandidates(String cwd) {
        Set<String> candidates = new LinkedHashSet<>();
        candidates.add(cwd.replace('\\', '-').replace('/', '-').replace(':', '-'));
        candidates.add(cwd.replace('/', '-'));
        candidates.add(cwd.replace('\\', '-').replace('/', '-'));
        candidates.add(
                DRIVE_LETTER.matcher(cwd).replaceFirst("").replace('\\', '-').replace('/', '-'));
        for (String candidate : List.copyOf(candidates)) {
            if (!candidate.startsWith("-")) {
                candidates.add("-" + candidate);
            }
        }
        return new ArrayList<>(candidates);
    }

    /** The transcript folders there are now; an unreadable projects directory has none. */
    Listing list() {
        Set<String> folders = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(projectsDir, Files::isDirectory)) {
            for (Path entry : entries) {
                folders.add(entry.getFileName().toString());
            }
        } catch (IOException e) {
            return new Listing(Set.of());
        }
        return new Listing(folders);
    }

    /**
     * One reading of the projects directory. Only its direct children are ever read (a cwd of ".."
     * names none of them).
     */
    final class Listing {

        private final Set<String> folders;

        private Listing(Set<String> folders) {
            this.folders = folders;
        }

        /**
         * {@code working} when the last assistant message of the newest transcript asks for a tool,
         * otherwise {@code idle}; also {@code idle} without a transcript, and when the transcript has
         * not changed for {@code staleAfter}: a session abandoned mid tool call must not stay working
         * against the TTL sweep.
         */
        Status infer(String cwd, Instant now, Duration staleAfter) {
            return newestTranscript(cwd)
                    .filter(file -> modifiedSince(file, now.minus(staleAfter)))
                    .map(file -> lastAssistantUsesTool(file) ? Status.WORKING : Status.IDLE)
                    .orElse(Status.IDLE);
        }

        private Optional<Path> newestTranscript(String cwd) {
            for (String name : folderCandidates(cwd)) {
                if (folders.contains(name)) {
                    Optional<Path> newest = newestJsonl(projectsDir.resolve(name));
                    if (newest.isPresent()) {
                        return newest;
                    }
                }
            }
            return Optional.empty();
        }
    }

    private static Optional<Path> newestJsonl(Path folder) {
        Path newest = null;
        FileTime newestTime = null;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.jsonl")) {
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                FileTime modified = Files.getLastModifiedTime(file);
                if (newestTime == null || modified.compareTo(newestTime) > 0) {
                    newest = file;
                    newestTime = modified;
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(newest);
    }

    private static boolean modifiedSince(Path file, Instant since) {
        try {
            return !Files.getLastModifiedTime(file).toInstant().isBefore(since);
        } catch (IOException e) {
            return false;
        }
    }

    private boolean lastAssistantUsesTool(Path file) {
        List<String> lines = tailLines(file);
        for (int i = lines.size() - 1; i >= 0; i--) {
            JsonNode entry = parse(lines.get(i));
            if (entry != null && "assistant".equals(entry.path("type").asString(""))) {
                JsonNode content = entry.path("message").path("content");
                for (JsonNode item : content.isArray() ? content : entry.path("content")) {
                    if ("tool_use".equals(item.path("type").asString(""))) {
                        return true;
                    }
                }
                return false;
            }
        }
        return false;
    }

    /** The complete lines of the last {@link #TAIL_BYTES} bytes (a line cut by the start is dropped). */
    private static List<String> tailLines(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long start = Math.max(0, size - TAIL_BYTES);
            ByteBuffer buffer = ByteBuffer.allocate((int) (size - start));
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, start + buffer.position()) < 0) {
                    break;
                }
            }
            String tail = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(tail.split("\r?\n")));
            if (start > 0 && !lines.isEmpty()) {
                lines.removeFirst();
            }
            return lines;
        } catch (IOException e) {
            return List.of();
        }
    }

    private JsonNode parse(String line) {
        if (line.isBlank()) {
            return null;
        }
        try {
            return json.readTree(line);
        } catch (JacksonException e) {
            return null;
        }
    }
}
