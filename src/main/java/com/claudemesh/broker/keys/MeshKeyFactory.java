package com.claudemesh.broker.keys;

import com.claudemesh.broker.crypto.Base64Url;
import com.claudemesh.broker.crypto.Ed25519;
import java.security.SecureRandom;
import org.springframework.stereotype.Component;

/** Fresh mesh keys as A.11 describes them: an ed25519 owner keypair and a 32-byte root key. */
@Component
public class MeshKeyFactory {

    private static final int ROOT_KEY_BYTES = 32;

    private final Ed25519 ed25519;
    private final SecureRandom random = new SecureRandom();

    MeshKeyFactory(Ed25519 ed25519) {
        this.ed25519 = ed25519;
    }

    public Ed25519.KeyPair ownerKeyPair() {
        return ed25519.generate();
    }

    /** base64url without padding, the form invites carry in {@code mesh_root_key}. */
    public String rootKey() {
        byte[] key = new byte[ROOT_KEY_BYTES];
        random.nextBytes(key);
        return Base64Url.encode(key);
    }
}
