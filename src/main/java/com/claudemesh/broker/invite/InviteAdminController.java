package com.claudemesh.broker.invite;

import com.claudemesh.broker.admin.AdminApi;
import com.claudemesh.broker.invite.InviteViews.CreateInviteRequest;
import com.claudemesh.broker.invite.InviteViews.InviteCreated;
import com.claudemesh.broker.invite.InviteViews.InviteView;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admin API for invites (docs/invites.md lists every route). */
@AdminApi
@RestController
@RequestMapping("/api")
class InviteAdminController {

    private final InviteIssuer issuer;
    private final InviteAdministration invites;

    InviteAdminController(InviteIssuer issuer, InviteAdministration invites) {
        this.issuer = issuer;
        this.invites = invites;
    }

    @PostMapping("/meshes/{meshId}/invites")
    @ResponseStatus(HttpStatus.CREATED)
    InviteCreated create(@PathVariable String meshId, @RequestBody(required = false) CreateInviteRequest request) {
        return issuer.issue(meshId, request == null ? new CreateInviteRequest(null, null, null) : request);
    }

    @GetMapping("/meshes/{meshId}/invites")
    List<InviteView> list(@PathVariable String meshId) {
        return invites.list(meshId);
    }

    @PostMapping("/invites/{inviteId}/revoke")
    InviteView revoke(@PathVariable String inviteId) {
        return invites.revoke(inviteId);
    }
}
