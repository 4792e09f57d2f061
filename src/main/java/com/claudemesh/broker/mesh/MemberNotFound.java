package com.claudemesh.broker.mesh;

import com.claudemesh.broker.refusal.NotFound;

/** The mesh has no member with the id a request names ({@code member_not_found}). */
class MemberNotFound extends NotFound {

    MemberNotFound(String meshId, String memberId) {
        super("member_not_found", "no member with id '" + memberId + "' in mesh '" + meshId + "'");
    }
}
