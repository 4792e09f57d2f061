package com.claudemesh.broker.keys;

/** Owner secret keys cannot be used yet: the start-up key check has not passed (see {@link KeyEncryptionCheck}). */
public class OwnerKeysLockedException extends IllegalStateException {

    OwnerKeysLockedException() {
        super(
                "mesh owner keys are locked until the BROKER_KEY_ENCRYPTION_KEY check passes; see the broker's start-up log");
    }
}
