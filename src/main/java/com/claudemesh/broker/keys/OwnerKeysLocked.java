package com.claudemesh.broker.keys;

import com.claudemesh.broker.refusal.Unavailable;

/**
 * Owner secret keys cannot be used yet: the start-up key check has not passed (see
 * {@link KeyEncryptionCheck}), for example because the database was down at start-up.
 */
public class OwnerKeysLocked extends Unavailable {

    OwnerKeysLocked() {
        super(
                "owner_keys_locked",
                "mesh owner keys are locked until the BROKER_KEY_ENCRYPTION_KEY check passes; see the broker's start-up log");
    }
}
