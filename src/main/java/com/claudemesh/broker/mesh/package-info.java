/**
 * Meshes and their members: the SQL of {@code mesh.mesh} and {@code mesh.member}, the admin
 * services behind {@code MeshAdminController}, and what other packages read or write through
 * ({@link com.claudemesh.broker.mesh.Meshes}, {@link com.claudemesh.broker.mesh.MemberDirectory},
 * {@link com.claudemesh.broker.mesh.MemberEnrolment}, the events
 * {@link com.claudemesh.broker.mesh.MemberRevoked} and {@link com.claudemesh.broker.mesh.MeshArchived}).
 *
 * <p>The services throw refusals named after what went wrong ({@code MeshNotFound},
 * {@code MemberNotFound}, {@code SlugTaken}, {@code MeshCannotSign}, an {@code InvalidRequest} per
 * field), never an HTTP status: the admin web layer ({@code admin}) maps them. Owner-key handling is
 * the {@code keys} package; this one uses its cipher and key factory and gives it the key columns
 * of its rows through {@code MeshKeyStore}, an implementation of {@code keys.MeshKeyRows}.
 */
package com.claudemesh.broker.mesh;
