/**
 * Rules that every string received from a client passes before anything stores, queues or writes
 * it back: well-formed Unicode, what PostgreSQL text can hold, and the base64 form of opaque
 * fields (PROTOCOL A.4). Pure functions, shared by every surface that takes client input.
 */
package com.claudemesh.broker.input;
