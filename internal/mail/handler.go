package mail

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/fault"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/wire"
)

// Handler serves miasta.v1.MailService.
type Handler struct {
	svc *Service
}

var _ miastav1connect.MailServiceHandler = (*Handler)(nil)

// NewHandler returns the MailService handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// optionalID parses an id that may be empty (uuid.Nil).
func optionalID(field, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, nil
	}
	return wire.ID(field, s)
}

func (h *Handler) ListOutbox(ctx context.Context, req *v1.ListOutboxRequest) (*v1.ListOutboxResponse, error) {
	eid, err := optionalID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	f := Filter{EditionID: eid}
	if req.GetStatus() != v1.MailStatus_MAIL_STATUS_UNSPECIFIED {
		f.Status = Status(strings.TrimPrefix(req.GetStatus().String(), "MAIL_STATUS_"))
	}
	if req.GetKind() != v1.MailKind_MAIL_KIND_UNSPECIFIED {
		f.Kind = kindFromProto(req.GetKind())
	}
	mails, next, err := h.svc.List(ctx, f, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListOutboxResponse{NextPageToken: next}
	for _, m := range mails {
		resp.Mails = append(resp.Mails, MailToProto(m))
	}
	return resp, nil
}

func (h *Handler) GetOutboxMail(ctx context.Context, req *v1.GetOutboxMailRequest) (*v1.GetOutboxMailResponse, error) {
	id, err := wire.ID("mail_id", req.GetMailId())
	if err != nil {
		return nil, err
	}
	m, err := h.svc.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return &v1.GetOutboxMailResponse{Mail: MailToProto(m)}, nil
}

// reply turns a changed mail into its wire form, and a version conflict's current mail into the
// OutboxMailConflict detail the API promises.
func reply(m Mail, err error) (*v1.OutboxMail, error) {
	if err != nil {
		return nil, fault.MapDetail(err, func(current Mail) any { return &v1.OutboxMailConflict{Current: MailToProto(current)} })
	}
	return MailToProto(m), nil
}

func (h *Handler) EditOutboxMail(ctx context.Context, req *v1.EditOutboxMailRequest) (*v1.EditOutboxMailResponse, error) {
	id, err := wire.ID("mail_id", req.GetMailId())
	if err != nil {
		return nil, err
	}
	m, err := reply(h.svc.Edit(ctx, auth.FromContext(ctx), id, req.GetExpectedVersion(), req.GetSubject(), req.GetBody()))
	if err != nil {
		return nil, err
	}
	return &v1.EditOutboxMailResponse{Mail: m}, nil
}

func (h *Handler) ReleaseOutboxMail(ctx context.Context, req *v1.ReleaseOutboxMailRequest) (*v1.ReleaseOutboxMailResponse, error) {
	id, err := wire.ID("mail_id", req.GetMailId())
	if err != nil {
		return nil, err
	}
	m, err := reply(h.svc.Release(ctx, auth.FromContext(ctx), id, req.GetExpectedVersion()))
	if err != nil {
		return nil, err
	}
	return &v1.ReleaseOutboxMailResponse{Mail: m}, nil
}

func (h *Handler) DiscardOutboxMail(ctx context.Context, req *v1.DiscardOutboxMailRequest) (*v1.DiscardOutboxMailResponse, error) {
	id, err := wire.ID("mail_id", req.GetMailId())
	if err != nil {
		return nil, err
	}
	m, err := reply(h.svc.Discard(ctx, auth.FromContext(ctx), id, req.GetExpectedVersion()))
	if err != nil {
		return nil, err
	}
	return &v1.DiscardOutboxMailResponse{Mail: m}, nil
}

func (h *Handler) GetMailPolicy(ctx context.Context, req *v1.GetMailPolicyRequest) (*v1.GetMailPolicyResponse, error) {
	eid, err := optionalID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	ps, err := h.svc.Policies(ctx, eid)
	if err != nil {
		return nil, err
	}
	return &v1.GetMailPolicyResponse{Policies: policiesToProto(ps)}, nil
}

func (h *Handler) SetMailPolicy(ctx context.Context, req *v1.SetMailPolicyRequest) (*v1.SetMailPolicyResponse, error) {
	eid, err := optionalID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	var d Delivery
	switch req.GetDelivery() {
	case v1.MailDelivery_MAIL_DELIVERY_REVIEW:
		d = Review
	case v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC:
		d = Automatic
	}
	ps, err := h.svc.SetPolicy(ctx, auth.FromContext(ctx), eid, kindFromProto(req.GetKind()), d)
	if err != nil {
		return nil, err
	}
	return &v1.SetMailPolicyResponse{Policies: policiesToProto(ps)}, nil
}

func (h *Handler) ListDeliveryAttempts(ctx context.Context, req *v1.ListDeliveryAttemptsRequest) (*v1.ListDeliveryAttemptsResponse, error) {
	id, err := wire.ID("mail_id", req.GetMailId())
	if err != nil {
		return nil, err
	}
	as, next, err := h.svc.Attempts(ctx, id, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListDeliveryAttemptsResponse{NextPageToken: next}
	for _, a := range as {
		resp.Attempts = append(resp.Attempts, &v1.DeliveryAttempt{
			Attempt: a.Attempt, StartTime: timestamppb.New(a.StartTime), EndTime: timestamppb.New(a.EndTime),
			Outcome:  v1.DeliveryOutcome(v1.DeliveryOutcome_value["DELIVERY_OUTCOME_"+a.Outcome]),
			SmtpCode: a.SMTPCode, Error: a.Error,
		})
	}
	return resp, nil
}

// kindFromProto maps the wire kind to the domain's; the names match after the prefix.
func kindFromProto(k v1.MailKind) Kind {
	return Kind(strings.TrimPrefix(k.String(), "MAIL_KIND_"))
}

func kindToProto(k Kind) v1.MailKind {
	return v1.MailKind(v1.MailKind_value["MAIL_KIND_"+string(k)])
}

func policiesToProto(ps []Policy) []*v1.MailPolicy {
	out := make([]*v1.MailPolicy, 0, len(ps))
	for _, p := range ps {
		out = append(out, &v1.MailPolicy{
			Kind:     kindToProto(p.Kind),
			Delivery: v1.MailDelivery(v1.MailDelivery_value["MAIL_DELIVERY_"+string(p.Delivery)]),
			Source:   v1.MailPolicySource(v1.MailPolicySource_value["MAIL_POLICY_SOURCE_"+string(p.Source)]),
		})
	}
	return out
}

// MailToProto is a mail's wire form.
func MailToProto(m Mail) *v1.OutboxMail {
	out := &v1.OutboxMail{
		Id: m.ID.String(), Kind: kindToProto(m.Kind), RecipientEmail: m.RecipientEmail, RecipientName: m.RecipientName,
		Language: m.Language, Subject: m.Subject, Body: m.Body,
		Status:  v1.MailStatus(v1.MailStatus_value["MAIL_STATUS_"+string(m.Status)]),
		Version: m.Version, Edited: m.Edited, Attempts: m.Attempts, LastError: m.LastError, MessageId: m.MessageID,
		CreateTime: timestamppb.New(m.CreateTime), UpdateTime: timestamppb.New(m.UpdateTime),
	}
	if m.EditionID != uuid.Nil {
		out.EditionId = m.EditionID.String()
	}
	for _, t := range []struct {
		from *time.Time
		to   **timestamppb.Timestamp
	}{{m.NextAttemptTime, &out.NextAttemptTime}, {m.ReleaseTime, &out.ReleaseTime}, {m.SentTime, &out.SentTime}} {
		if t.from != nil {
			*t.to = timestamppb.New(*t.from)
		}
	}
	return out
}

func (h *Handler) SendReminder(ctx context.Context, req *v1.SendReminderRequest) (*v1.SendReminderResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	iid, err := wire.ID("invitation_id", req.GetInvitationId())
	if err != nil {
		return nil, err
	}
	m, queued, err := h.svc.SendReminder(ctx, eid, iid)
	if err != nil {
		return nil, err
	}
	return &v1.SendReminderResponse{Mail: MailToProto(m), Queued: queued}, nil
}

func (h *Handler) MessageRole(ctx context.Context, req *v1.MessageRoleRequest) (*v1.MessageRoleResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	rid, err := wire.ID("request_id", req.GetRequestId())
	if err != nil {
		return nil, err
	}
	queued, n, err := h.svc.MessageRole(ctx, eid, req.GetRole(), req.GetSubject(), req.GetBody(), rid)
	if err != nil {
		return nil, err
	}
	return &v1.MessageRoleResponse{Queued: int32(queued), Recipients: int32(n)}, nil
}

func (h *Handler) ListMailTemplates(ctx context.Context, req *v1.ListMailTemplatesRequest) (*v1.ListMailTemplatesResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	ws, err := h.svc.Wordings(ctx, eid)
	if err != nil {
		return nil, err
	}
	resp := &v1.ListMailTemplatesResponse{Placeholders: Placeholders()}
	for _, w := range ws {
		resp.Templates = append(resp.Templates, wordingToProto(w))
	}
	return resp, nil
}

func (h *Handler) SetMailTemplate(ctx context.Context, req *v1.SetMailTemplateRequest) (*v1.SetMailTemplateResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	w, err := h.svc.SetWording(ctx, auth.FromContext(ctx), eid, kindFromProto(req.GetKind()), req.GetLanguage(), req.GetSubject(), req.GetBody())
	if err != nil {
		return nil, err
	}
	return &v1.SetMailTemplateResponse{Template: wordingToProto(w)}, nil
}

func (h *Handler) PreviewMailTemplate(ctx context.Context, req *v1.PreviewMailTemplateRequest) (*v1.PreviewMailTemplateResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	subject, body, who, err := h.svc.Preview(ctx, eid, kindFromProto(req.GetKind()), req.GetLanguage(), req.GetSubject(), req.GetBody())
	if err != nil {
		return nil, err
	}
	return &v1.PreviewMailTemplateResponse{Subject: subject, Body: body, Recipient: who}, nil
}

func wordingToProto(w Wording) *v1.MailTemplate {
	return &v1.MailTemplate{Kind: kindToProto(w.Kind), Language: w.Language, Subject: w.Subject, Body: w.Body,
		Customised: w.Customised, DefaultSubject: w.DefaultSubject, DefaultBody: w.DefaultBody}
}
