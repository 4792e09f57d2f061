/**
 * Value types and text rules of the wire protocol that every feature shares: the priorities of an
 * envelope (PROTOCOL A.4, A.7) and what a string from a client must be before anything stores,
 * queues or writes it back (well-formed Unicode, what PostgreSQL text can hold, the base64 form of
 * opaque fields). Pure; depends on nothing of ours.
 */
package com.claudemesh.broker.protocol;
