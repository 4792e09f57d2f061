package com.claudemesh.broker.mesh;

import com.claudemesh.broker.refusal.NotFound;

/** No mesh has the id a request names ({@code mesh_not_found}). */
public class MeshNotFound extends NotFound {

    public MeshNotFound(String meshId) {
        super("mesh_not_found", "no mesh with id '" + meshId + "'");
    }
}
