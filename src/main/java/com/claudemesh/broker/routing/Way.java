package com.claudemesh.broker.routing;

/**
 * How a new envelope reaches one of its recipients ({@link Dispatcher#way}), planned by {@link
 * EnvelopeWriter} before the insert.
 */
sealed interface Way {

    Queued QUEUED = new Queued();

    /** Claimed for {@code target} in the insert and pushed straight after the commit. */
    record Direct(DeliveryTarget target) implements Way {}

    /** Claimed for {@code target} in the insert and handed over to the member's drain ({@link Dispatcher#handOver}). */
    record AfterDrain(DeliveryTarget target) implements Way {}

    /** Inserted unclaimed: no session here admits it now; a drain here or elsewhere claims it later. */
    record Queued() implements Way {}

    /** The session it is claimed for in the insert; null when queued. */
    default DeliveryTarget target() {
        return switch (this) {
            case Direct direct -> direct.target();
            case AfterDrain afterDrain -> afterDrain.target();
            case Queued queued -> null;
        };
    }
}
