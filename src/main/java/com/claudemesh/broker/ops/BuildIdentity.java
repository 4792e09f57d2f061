package com.claudemesh.broker.ops;

import com.claudemesh.broker.config.BrokerProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.info.GitProperties;
import org.springframework.stereotype.Component;

/**
 * Which build is running: the version from the build, the commit from {@code GIT_SHA} (set by the
 * deployment), else the commit recorded at build time, else {@code "unknown"}.
 */
@Component
public class BuildIdentity {

    private final String version;
    private final String gitSha;

    BuildIdentity(
            BrokerProperties properties, ObjectProvider<BuildProperties> build, ObjectProvider<GitProperties> git) {
        BuildProperties buildProperties = build.getIfAvailable();
        GitProperties gitProperties = git.getIfAvailable();
        this.version = buildProperties != null && buildProperties.getVersion() != null
                ? buildProperties.getVersion()
                : "unknown";
        this.gitSha = properties
                .gitShaIfSet()
                .orElseGet(() -> gitProperties != null && gitProperties.getCommitId() != null
                        ? gitProperties.getCommitId()
                        : "unknown");
    }

    public String version() {
        return version;
    }

    public String gitSha() {
        return gitSha;
    }
}
