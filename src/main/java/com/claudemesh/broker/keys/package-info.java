/**
 * Mesh owner keys (PROTOCOL A.11): fresh keys ({@link com.claudemesh.broker.keys.MeshKeyFactory}),
 * encryption at rest of the owner secret key with {@code BROKER_KEY_ENCRYPTION_KEY}
 * ({@link com.claudemesh.broker.keys.OwnerKeyCipher}, locked until {@code KeyEncryptionCheck} proved
 * the key at start-up; used before that it throws {@link com.claudemesh.broker.keys.OwnerKeysLocked},
 * a refusal the admin API answers with 503 {@code owner_keys_locked}), the backfill of missing keys
 * and the re-encryption of plaintext ones, and {@link com.claudemesh.broker.keys.MeshSigningKeys},
 * the opened keys an invite is signed with.
 *
 * <p>Direction: {@code mesh} depends on this package (it seals the secret key of a new mesh and
 * opens it for invites); this package never names a {@code mesh} class. The rows the backfill, the
 * re-encryption and the start-up check work on are reached through
 * {@link com.claudemesh.broker.keys.MeshKeyRows}, which {@code mesh} implements next to the rest of
 * its {@code mesh.mesh} SQL, so the table keeps one owner. The check value's own table
 * ({@code mesh.key_encryption_check}) belongs here ({@code KeyCheckStore}).
 */
package com.claudemesh.broker.keys;
