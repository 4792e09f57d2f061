package com.claudemesh.broker.mesh;

/** Owner secret keys cannot be used yet: the start-up key check has not passed (see {@link KeyEncryptionCheck}). */
class OwnerKeysLockedException extends IllegalStateException {

    OwnerKeysLockedException() {
        super(
                "mesh owner keys are locked until the BROKER_KEY_ENCRYPTION_KEY check passes; see the broker's start-up log");
    }
}
