/**
 * The admin API's web layer ({@code /api/**}), shared by every feature that has admin routes:
 * {@link com.claudemesh.broker.admin.AdminApi} marks a controller, {@code AdminTokenFilter} guards
 * the path with {@code BROKER_ADMIN_TOKEN}, {@code AdminProblemHandler} answers every error of a
 * marked controller as an RFC 9457 problem detail with a stable {@code code}.
 *
 * <p>Controllers stay in their features ({@code mesh.MeshAdminController},
 * {@code invite.InviteAdminController}) and are thin: they call the feature's services and return
 * its views. This package depends on no feature, so every feature may depend on it.
 */
package com.claudemesh.broker.admin;
