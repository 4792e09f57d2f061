package com.claudemesh.broker.routing;

import java.util.Collection;
import java.util.List;

/** The live sessions of this broker process that may receive pushes (implemented by the session layer). */
public interface LiveSessions {

    /** The sessions of a member that passed hello and take pushes; empty when it has none here. */
    List<? extends DeliveryTarget> sessionsOf(String memberId);

    /** Every member with at least one such session here. */
    Collection<String> liveMemberIds();
}
