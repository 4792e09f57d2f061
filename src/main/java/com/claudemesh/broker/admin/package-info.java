/**
 * The admin API's web layer ({@code /api/**}), shared by every feature that has admin routes:
 * {@link com.claudemesh.broker.admin.AdminApi} marks a controller, {@code AdminTokenFilter} guards
 * the path with {@code BROKER_ADMIN_TOKEN}, {@code AdminProblemHandler} answers every error of a
 * marked controller as an RFC 9457 problem detail with a stable {@code code}.
 *
 * <p>Controllers stay in their features ({@code mesh.MeshAdminController},
 * {@code invite.InviteAdminController}) and are thin: they call the feature's services and return
 * its views. The services know nothing of HTTP: they throw domain refusals
 * ({@link com.claudemesh.broker.refusal.Refusal}: {@code mesh.MeshNotFound}, {@code mesh.SlugTaken},
 * an {@code InvalidRequest} naming the field, …), and the translation into a status happens here,
 * once, by the refusal's kind (invalid 400, not found 404, conflict 409, unavailable 503); the code
 * and detail are the refusal's own. This package depends on no feature (only on {@code refusal},
 * {@code config} and {@code db}), so every feature may depend on it without a cycle.
 */
package com.claudemesh.broker.admin;
