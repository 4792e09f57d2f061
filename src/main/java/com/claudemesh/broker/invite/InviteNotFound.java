package com.claudemesh.broker.invite;

import com.claudemesh.broker.refusal.NotFound;

/** No invite has the id a request names ({@code invite_not_found}). */
class InviteNotFound extends NotFound {

    InviteNotFound(String inviteId) {
        super("invite_not_found", "no invite with id '" + inviteId + "'");
    }
}
