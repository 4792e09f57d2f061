package com.claudemesh.broker.mesh;

import java.time.Clock;
import java.util.Locale;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Adds members to a mesh; runs inside the caller's transaction (the join claims an invite use in it). */
@Service
public class MemberEnrolment {

    private final MemberStore members;
    private final MemberDirectory directory;
    private final Clock clock;

    MemberEnrolment(MemberStore members, MemberDirectory directory, Clock clock) {
        this.members = members;
        this.directory = directory;
        this.clock = clock;
    }

    /** Inserts a member with a lowercase pubkey and returns its new id. */
    public String enrol(String meshId, String pubkeyHex, String displayName, String role) {
        String id = UUID.randomUUID().toString();
        members.insert(id, meshId, pubkeyHex.toLowerCase(Locale.ROOT), displayName, role, clock.instant());
        afterCommit(() -> directory.invalidate(meshId));
        return id;
    }

    /** Broadcasts include the new member at once: its mesh's cached member list is dropped once it is visible. */
    private static void afterCommit(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }
}
