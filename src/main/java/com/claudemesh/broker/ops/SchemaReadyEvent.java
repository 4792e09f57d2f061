package com.claudemesh.broker.ops;

/**
 * Published once the schema is migrated and the database answers: at start-up, or later when the
 * database was down at start-up. Work that needs the tables at start (closing presences a crashed
 * instance left open, for example) listens for it instead of running in a constructor.
 */
public record SchemaReadyEvent() {}
