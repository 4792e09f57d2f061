package com.claudemesh.broker.presence;

/** This broker process as recorded in {@code mesh.broker_instance}; it owns the presences it opens. */
record BrokerInstance(String id, String host) {}
