package com.claudemesh.broker.presence;

import com.claudemesh.broker.config.BrokerProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * A.8 JSONL inference, run by a scheduled job and never on a hello or a push: for this instance's
 * live presences without a fresh hook or manual status, the transcript's verdict is written with source {@code
 * jsonl} through the rule. Verdicts are cached per cwd for {@link #REFRESH_EVERY}. When
 * CLAUDE_PROJECTS_DIR does not exist the broker does not run beside its peers and infers nothing.
 */
@Component
class JsonlInference {

    static final Duration REFRESH_EVERY = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(JsonlInference.class);

    private record Verdict(Status status, Instant at) {}

    private final Transcripts transcripts;
    private final BrokerInstance self;
    private final PresenceRows rows;
    private final StatusWriter writer;
    private final StatusRule rule;
    private final Clock clock;
    private final Duration freshWindow;
    private final Duration statusTtl;
    private final Map<String, Verdict> verdicts = new ConcurrentHashMap<>();

    JsonlInference(
            BrokerProperties properties,
            JsonMapper json,
            BrokerInstance self,
            PresenceRows rows,
            StatusWriter writer,
            StatusRule rule,
            Clock clock) {
        this.transcripts = new Transcripts(properties.claudeProjectsDir(), json);
        this.self = self;
        this.rows = rows;
        this.writer = writer;
        this.rule = rule;
        this.clock = clock;
        this.freshWindow = properties.hookFreshWindow();
        this.statusTtl = properties.statusTtl();
    }

    /** One pass over the live presences; returns how many changed status. */
    int inferLivePresences() {
        if (!transcripts.available()) {
            verdicts.clear();
            return 0;
        }
        Instant now = clock.instant();
        Transcripts.Listing listing = transcripts.list();
        List<PresenceRows.Candidate> candidates = rows.inferenceCandidates(self.id(), now.minus(freshWindow));
        Set<String> cwds = new HashSet<>();
        int changed = 0;
        for (PresenceRows.Candidate candidate : candidates) {
            cwds.add(candidate.cwd());
            Status inferred = verdict(listing, candidate.cwd(), now);
            StatusRule.State current = candidate.state();
            // An idle status has no TTL: rewriting the same jsonl idle would only churn the row.
            if (inferred == Status.IDLE && current.status() == Status.IDLE && current.source() == StatusSource.JSONL) {
                continue;
            }
            boolean statusChanged = writer.write(
                            candidate.id(),
                            inferred,
                            StatusSource.JSONL,
                            locked -> !rule.freshFromAboveJsonl(locked.state(), now))
                    .filter(state -> state.status() != current.status())
                    .isPresent();
            changed += statusChanged ? 1 : 0;
        }
        verdicts.keySet().retainAll(cwds);
        return changed;
    }

    private Status verdict(Transcripts.Listing listing, String cwd, Instant now) {
        Verdict cached = verdicts.get(cwd);
        if (cached != null
                && !now.isBefore(cached.at())
                && now.isBefore(cached.at().plus(REFRESH_EVERY))) {
            return cached.status();
        }
        Status status = listing.infer(cwd, now, statusTtl);
        verdicts.put(cwd, new Verdict(status, now));
        return status;
    }

    @Scheduled(fixedDelay = 5, timeUnit = TimeUnit.SECONDS)
    void scheduledInference() {
        try {
            inferLivePresences();
        } catch (DataAccessException e) {
            log.warn("JSONL status inference failed: {}", e.getMessage());
        }
    }
}
