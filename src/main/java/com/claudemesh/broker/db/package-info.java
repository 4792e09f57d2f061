/** Conventions shared by every package that owns tables (time zone handling of the v1 schema). */
package com.claudemesh.broker.db;
