package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/RELIABILITY.md proves each guarantee by naming its test: every test it names must exist,
 * down to the method (or the method prefix before {@code …} or {@code *}), so the page cannot point
 * at a test that was renamed or removed.
 */
class ReliabilityDocTest {

    private static final Path DOC = Path.of("docs/RELIABILITY.md");
    private static final Path TESTS = Path.of("src/test/java/com/claudemesh/broker");

    /** {@code pkg.ClassTest}, optionally {@code .method}, the method maybe cut with … or *. */
    private static final Pattern REFERENCE = Pattern.compile("`(?:([a-z]+)\\.)?([A-Z]\\w*Test)(?:\\.(\\w+)[…*]?)?`");

    @Test
    void everyTestThePageNamesExists_downToItsMethod() throws IOException {
        Map<String, Path> testFiles;
        try (Stream<Path> files = Files.walk(TESTS)) {
            testFiles = files.filter(f -> f.getFileName().toString().endsWith("Test.java"))
                    .collect(Collectors.toMap(f -> TESTS.relativize(f).toString(), f -> f));
        }
        String page = Files.readString(DOC);
        List<String> missing = new ArrayList<>();
        int references = 0;
        for (Matcher m = REFERENCE.matcher(page); m.find(); references++) {
            String pkg = m.group(1);
            String type = m.group(2);
            String method = m.group(3);
            List<Path> candidates = testFiles.entrySet().stream()
                    .filter(e -> e.getKey().endsWith("/" + type + ".java")
                            && (pkg == null || e.getKey().equals(pkg + "/" + type + ".java")))
                    .map(Map.Entry::getValue)
                    .toList();
            if (candidates.size() != 1) {
                missing.add(m.group() + " (no such test class)");
                continue;
            }
            if (method != null && !Files.readString(candidates.getFirst()).contains("void " + method)) {
                missing.add(m.group() + " (no such test method)");
            }
        }
        assertThat(references).as("test references on the page").isGreaterThan(40);
        assertThat(missing)
                .as("tests named by docs/RELIABILITY.md that do not exist")
                .isEmpty();
    }
}
