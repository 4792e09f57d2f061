package com.claudemesh.broker.invite;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The v1 body of every {@code POST /join} reply (A.10): the real CLI parses it before the status. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record JoinReply(boolean ok, String memberId, Boolean alreadyMember, String error) {

    static JoinReply joined(String memberId) {
        return new JoinReply(true, memberId, null, null);
    }

    static JoinReply alreadyMember(String memberId) {
        return new JoinReply(true, memberId, true, null);
    }

    static JoinReply error(String error) {
        return new JoinReply(false, null, null, error);
    }
}
