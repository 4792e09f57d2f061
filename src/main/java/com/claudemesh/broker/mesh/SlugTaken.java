package com.claudemesh.broker.mesh;

import com.claudemesh.broker.refusal.Conflict;

/** Another mesh has the slug already ({@code slug_taken}). */
class SlugTaken extends Conflict {

    SlugTaken(String slug) {
        super("slug_taken", "a mesh with slug '" + slug + "' already exists");
    }
}
