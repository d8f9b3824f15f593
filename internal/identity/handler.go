package identity

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/wire"
)

// Handler serves miasta.v1.IdentityService.
type Handler struct {
	store *Store
}

var _ miastav1connect.IdentityServiceHandler = (*Handler)(nil)

// NewHandler returns the IdentityService handler.
func NewHandler(store *Store) *Handler { return &Handler{store: store} }

func (h *Handler) GetMe(ctx context.Context, _ *v1.GetMeRequest) (*v1.GetMeResponse, error) {
	p := auth.FromContext(ctx)
	me := &v1.Me{
		User:      &v1.User{Id: p.UserID.String(), Email: p.Email, Name: p.Name},
		Organiser: p.Organiser,
	}
	for _, a := range p.Assignments {
		me.Assignments = append(me.Assignments, assignmentToProto(a, nil))
	}
	return &v1.GetMeResponse{Me: me}, nil
}

func (h *Handler) CreateInvitation(ctx context.Context, req *v1.CreateInvitationRequest) (*v1.CreateInvitationResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	var cid uuid.UUID // none for a translator
	if req.GetCityId() != "" {
		if cid, err = wire.ID("city_id", req.GetCityId()); err != nil {
			return nil, err
		}
	}
	inv, err := h.store.Invite(ctx, auth.FromContext(ctx), NewInvitation{
		EditionID: eid, Email: req.GetEmail(), Role: roleFromProto(req.GetRole()), CityID: cid,
		DisplayName: req.GetDisplayName(), Pseudonym: req.GetPseudonym(), Language: req.GetLanguage(),
		Languages: req.GetLanguages(),
	})
	if err != nil {
		return nil, err
	}
	return &v1.CreateInvitationResponse{Invitation: invitationToProto(inv)}, nil
}

func (h *Handler) ListInvitations(ctx context.Context, req *v1.ListInvitationsRequest) (*v1.ListInvitationsResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	invs, next, err := h.store.ListInvitations(ctx, eid, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListInvitationsResponse{NextPageToken: next}
	for _, inv := range invs {
		resp.Invitations = append(resp.Invitations, invitationToProto(inv))
	}
	return resp, nil
}

func (h *Handler) ImportInvitations(ctx context.Context, req *v1.ImportInvitationsRequest) (*v1.ImportInvitationsResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	text := req.GetCsv()
	if f := req.GetFile(); len(f) > 0 {
		if text, err = DecodeUpload(f); err != nil {
			return nil, err
		}
	}
	res, err := h.store.Import(ctx, auth.FromContext(ctx), eid, text, req.GetDryRun())
	if err != nil && !errors.Is(err, ErrImportProblems) {
		return nil, err
	}
	resp := &v1.ImportInvitationsResponse{Rows: int32(res.Rows), Invited: int32(res.Invited), Unchanged: int32(res.Unchanged)}
	for _, p := range res.Problems {
		resp.Problems = append(resp.Problems, &v1.RowProblem{Line: int32(p.Line), Field: p.Field, Reason: p.Message, ReasonId: p.Reason(), ReasonArgs: p.ArgMap()})
	}
	if err != nil {
		// Every bad row, each with its catalogue key, in the response attached to the error.
		first := res.Problems[0]
		f := fault.Invalidf("csv", "%d bad rows (the first on line %d); nothing was imported", len(res.Problems), first.Line)
		f.Detail = resp
		return nil, f
	}
	return resp, nil
}

func (h *Handler) RevokeInvitation(ctx context.Context, req *v1.RevokeInvitationRequest) (*v1.RevokeInvitationResponse, error) {
	id, err := wire.ID("invitation_id", req.GetInvitationId())
	if err != nil {
		return nil, err
	}
	inv, err := h.store.Revoke(ctx, auth.FromContext(ctx), id)
	if err != nil {
		return nil, err
	}
	return &v1.RevokeInvitationResponse{Invitation: invitationToProto(inv)}, nil
}

func (h *Handler) RevokeRole(ctx context.Context, req *v1.RevokeRoleRequest) (*v1.RevokeRoleResponse, error) {
	id, err := wire.ID("assignment_id", req.GetAssignmentId())
	if err != nil {
		return nil, err
	}
	v, err := h.store.RevokeRole(ctx, auth.FromContext(ctx), id, req.GetReason())
	if err != nil {
		return nil, err
	}
	return &v1.RevokeRoleResponse{Assignment: assignmentViewToProto(v)}, nil
}

func (h *Handler) ListRoleAssignments(ctx context.Context, req *v1.ListRoleAssignmentsRequest) (*v1.ListRoleAssignmentsResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	views, next, err := h.store.ListAssignments(ctx, eid, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListRoleAssignmentsResponse{NextPageToken: next}
	for _, v := range views {
		resp.Assignments = append(resp.Assignments, assignmentViewToProto(v))
	}
	return resp, nil
}

func assignmentToProto(a auth.Assignment, user *v1.User) *v1.RoleAssignment {
	out := &v1.RoleAssignment{
		Id: a.ID.String(), EditionId: a.EditionID.String(), User: user, Role: roleToProto(a.Role),
		DisplayName: a.DisplayName, Pseudonym: a.Pseudonym, Language: a.Language, Languages: a.Languages,
		InvitationId: a.InvitationID.String(), CreateTime: timestamppb.New(a.CreateTime), EditionYear: a.EditionYear,
	}
	if a.CityID != uuid.Nil {
		out.City = edition.CityToProto(edition.City{ID: a.CityID, Name: a.CityName})
	}
	return out
}

func assignmentViewToProto(v AssignmentView) *v1.RoleAssignment {
	out := assignmentToProto(v.Assignment, &v1.User{Id: v.UserID.String(), Email: v.UserEmail, Name: v.UserName})
	if v.RevokeTime != nil {
		out.RevokeTime, out.RevokeReason = timestamppb.New(*v.RevokeTime), v.RevokeReason
	}
	return out
}

func invitationToProto(inv Invitation) *v1.Invitation {
	out := &v1.Invitation{
		Id: inv.ID.String(), EditionId: inv.EditionID.String(), Email: inv.Email, Role: roleToProto(inv.Role),
		DisplayName: inv.DisplayName, Pseudonym: inv.Pseudonym,
		Language: inv.Language, Languages: inv.Languages, CreateTime: timestamppb.New(inv.CreateTime),
	}
	if inv.City.ID != uuid.Nil {
		out.City = edition.CityToProto(inv.City)
	}
	switch inv.State {
	case "PENDING":
		out.State = v1.InvitationState_INVITATION_STATE_PENDING
	case "ACCEPTED":
		out.State = v1.InvitationState_INVITATION_STATE_ACCEPTED
	case "REVOKED":
		out.State = v1.InvitationState_INVITATION_STATE_REVOKED
	}
	if inv.AcceptTime != nil {
		out.AcceptTime = timestamppb.New(*inv.AcceptTime)
	}
	return out
}

func roleToProto(r auth.Role) v1.Role {
	switch r {
	case auth.RoleExpert:
		return v1.Role_ROLE_EXPERT
	case auth.RoleJuror:
		return v1.Role_ROLE_JUROR
	case auth.RoleTranslator:
		return v1.Role_ROLE_TRANSLATOR
	case auth.RoleOrganiser:
		return v1.Role_ROLE_ORGANISER
	case auth.RoleObserver:
		return v1.Role_ROLE_OBSERVER
	}
	return v1.Role_ROLE_UNSPECIFIED
}

func roleFromProto(r v1.Role) auth.Role {
	switch r {
	case v1.Role_ROLE_JUROR:
		return auth.RoleJuror
	case v1.Role_ROLE_TRANSLATOR:
		return auth.RoleTranslator
	case v1.Role_ROLE_ORGANISER:
		return auth.RoleOrganiser
	case v1.Role_ROLE_OBSERVER:
		return auth.RoleObserver
	}
	return auth.RoleExpert // the request validation admits only the five invited roles
}
