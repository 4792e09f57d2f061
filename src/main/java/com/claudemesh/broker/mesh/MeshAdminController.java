package com.claudemesh.broker.mesh;

import com.claudemesh.broker.admin.AdminApi;
import com.claudemesh.broker.keys.KeyBackfill;
import com.claudemesh.broker.mesh.MeshViews.BackfillResult;
import com.claudemesh.broker.mesh.MeshViews.CreateMeshRequest;
import com.claudemesh.broker.mesh.MeshViews.MemberView;
import com.claudemesh.broker.mesh.MeshViews.MeshCreated;
import com.claudemesh.broker.mesh.MeshViews.MeshView;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admin API for meshes, their members and the key backfill (docs/invites.md lists every route). */
@AdminApi
@RestController
@RequestMapping("/api")
class MeshAdminController {

    private final MeshAdministration meshes;
    private final MemberAdministration members;
    private final KeyBackfill backfill;

    MeshAdminController(MeshAdministration meshes, MemberAdministration members, KeyBackfill backfill) {
        this.meshes = meshes;
        this.members = members;
        this.backfill = backfill;
    }

    @PostMapping("/meshes")
    @ResponseStatus(HttpStatus.CREATED)
    MeshCreated create(@RequestBody CreateMeshRequest request) {
        return meshes.create(request);
    }

    @GetMapping("/meshes")
    List<MeshView> list() {
        return meshes.list();
    }

    @GetMapping("/meshes/{meshId}")
    MeshView get(@PathVariable String meshId) {
        return meshes.get(meshId);
    }

    @PostMapping("/meshes/{meshId}/archive")
    MeshView archive(@PathVariable String meshId) {
        return meshes.archive(meshId);
    }

    @GetMapping("/meshes/{meshId}/members")
    List<MemberView> members(@PathVariable String meshId) {
        return members.list(meshId);
    }

    @PostMapping("/meshes/{meshId}/members/{memberId}/revoke")
    MemberView revokeMember(@PathVariable String meshId, @PathVariable String memberId) {
        return members.revoke(meshId, memberId);
    }

    @PostMapping("/admin/backfill-keys")
    BackfillResult backfillKeys() {
        return new BackfillResult(backfill.run());
    }
}
