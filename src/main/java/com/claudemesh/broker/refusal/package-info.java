/**
 * Why the broker refuses a request, in the domain's words. A domain method that cannot do what it
 * was asked throws a {@link com.claudemesh.broker.refusal.Refusal} named after what went wrong
 * ({@code mesh.MeshNotFound}, {@code mesh.SlugTaken}, an
 * {@link com.claudemesh.broker.refusal.InvalidRequest} naming the field, …). Each carries the
 * stable machine-readable {@code code} clients branch on and a human-readable detail, and is one of
 * four kinds: the request is invalid, names something that does not exist, conflicts with the
 * current state, or cannot be served yet.
 *
 * <p>No HTTP here: the admin web layer ({@code admin.AdminProblemHandler}) maps each kind to a
 * status, so domain code never names one. Pure; depends on nothing of ours, so every feature and
 * the web layer can use it without a cycle.
 */
package com.claudemesh.broker.refusal;
