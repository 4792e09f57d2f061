package com.claudemesh.broker.mesh;

import java.time.Clock;
import java.util.Locale;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Adds members to a mesh; runs inside the caller's transaction (the join claims an invite use in it). */
@Service
public class MemberEnrolment {

    private final MemberStore members;
    private final Clock clock;

    MemberEnrolment(MemberStore members, Clock clock) {
        this.members = members;
        this.clock = clock;
    }

    /** Inserts a member with a lowercase pubkey and returns its new id. */
    public String enrol(String meshId, String pubkeyHex, String displayName, String role) {
        String id = UUID.randomUUID().toString();
        members.insert(id, meshId, pubkeyHex.toLowerCase(Locale.ROOT), displayName, role, clock.instant());
        return id;
    }
}
