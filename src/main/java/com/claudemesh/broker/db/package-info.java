/**
 * Conventions shared by every package that owns tables: time zone handling of the v1 schema, SQL
 * pieces embedded across features, and group commit of writes that arrive concurrently.
 */
package com.claudemesh.broker.db;
