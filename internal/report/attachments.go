package report

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/attach"
	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/report/reportdb"
)

// maxAttachments bounds the files of one practice.
const maxAttachments = 20

// Attachment is a file attached to a practice; its bytes are in the blob store under SHA256.
type Attachment struct {
	ID         uuid.UUID
	PracticeID uuid.UUID
	Filename   string
	MediaType  string
	Kind       string
	Size       int64
	SHA256     string // lower-case hex
	Published  bool
	CreateTime time.Time
}

// SetAttachments gives the service the blob store attachments live in; without one, uploads and
// downloads fail with Unavailable.
func (s *Service) SetAttachments(store *attach.Store) { s.files = store }

func attachmentFromRow(a reportdb.Attachment) Attachment {
	return Attachment{ID: a.ID, PracticeID: a.PracticeID, Filename: a.Filename, MediaType: a.MediaType, Kind: a.Kind,
		Size: a.Size, SHA256: hex.EncodeToString(a.Sha256), Published: a.Published, CreateTime: a.CreateTime}
}

// attachmentsOf lists the attachments of a report's current practices (those of a removed practice
// stay stored, unseen, for a restore that brings it back).
func (s *Service) attachmentsOf(ctx context.Context, q reportdb.DBTX, reportID uuid.UUID, practices []Practice) ([]Attachment, error) {
	rows, err := s.q.ListReportAttachments(ctx, q, reportID)
	if err != nil {
		return nil, err
	}
	var out []Attachment
	for _, a := range rows {
		if slices.ContainsFunc(practices, func(p Practice) bool { return p.ID == a.PracticeID }) {
			out = append(out, attachmentFromRow(a))
		}
	}
	return out, nil
}

// attachmentHashes are the SHA-256s of a report's attachments as the log's report.submitted event
// carries them: hash strings (sha256:<hex>, spec §3.1), in increasing order, each once.
func attachmentHashes(as []Attachment) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, "sha256:"+a.SHA256)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func errNoStore() error {
	return fault.Preconditionf("", "attachments are not stored on this server: it has no blob store configured")
}

// Upload attaches a file to a practice of the expert's report.
func (s *Service) Upload(ctx context.Context, actor *auth.Principal, editionID, cityID, practiceID uuid.UUID, filename string, content []byte) (Attachment, error) {
	if !isExpertOf(actor, editionID, cityID) {
		return Attachment{}, errNotExpert()
	}
	if s.files == nil {
		return Attachment{}, errNoStore()
	}
	filename = strings.TrimSpace(filename) // control characters are refused for every request (internal/server)
	if filename == "" || strings.ContainsAny(filename, `/\`) {
		return Attachment{}, fault.Invalidf("filename", "is a file's name without folders")
	}
	obj, err := s.files.Put(ctx, content)
	switch {
	case errors.Is(err, attach.ErrTooLarge):
		return Attachment{}, fault.Invalidf("content", "is %d bytes; a file may be at most %d (25 MiB)", len(content), attach.MaxSize)
	case errors.Is(err, attach.ErrEmpty):
		return Attachment{}, fault.Invalidf("content", "is empty")
	case errors.Is(err, attach.ErrType):
		var te *attach.TypeError
		detected := "unknown"
		if errors.As(err, &te) {
			detected = te.Detected
		}
		return Attachment{}, fault.Invalidf("content", "is %s; attach a PDF, an image (PNG, JPEG, WebP, GIF) or an office document", detected)
	case err != nil:
		return Attachment{}, err
	}
	var out Attachment
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, _, row, exists, err := s.lockReport(ctx, tx, editionID, cityID)
		if err != nil {
			return err
		}
		if !exists {
			return fault.Preconditionf("practice_id", "save the practice before attaching files to it")
		}
		if err := editable(e.Stage, Status(row.Status)); err != nil {
			return err
		}
		practices, err := s.q.ListPractices(ctx, tx, row.ID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(practices, func(p reportdb.Practice) bool { return p.ID == practiceID }) {
			return fault.NotFoundf("practice_id", "is not a practice of this report (save it first)")
		}
		all, err := s.q.ListReportAttachments(ctx, tx, row.ID)
		if err != nil {
			return err
		}
		n := 0
		for _, a := range all {
			if a.PracticeID == practiceID && !slices.Equal(a.Sha256, obj.SHA256[:]) {
				n++
			}
		}
		if n >= maxAttachments {
			return fault.Preconditionf("practice_id", "a practice has at most %d files", maxAttachments)
		}
		a, err := s.q.InsertAttachment(ctx, tx, reportdb.InsertAttachmentParams{ReportID: row.ID, PracticeID: practiceID, Sha256: obj.SHA256[:],
			Size: obj.Size, MediaType: obj.MediaType.MIME, Kind: string(obj.MediaType.Kind), Filename: filename})
		out = attachmentFromRow(a)
		return err
	})
	return out, err
}

// DeleteAttachment removes an attachment from the expert's report (its bytes stay in the store: the
// same file may be attached elsewhere, and a submitted report's files must stay readable).
func (s *Service) DeleteAttachment(ctx context.Context, actor *auth.Principal, editionID, cityID, id uuid.UUID) error {
	if !isExpertOf(actor, editionID, cityID) {
		return errNotExpert()
	}
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, _, row, exists, err := s.lockReport(ctx, tx, editionID, cityID)
		if err != nil {
			return err
		}
		if !exists {
			return fault.NotFoundf("attachment_id", "is not an attachment of this report")
		}
		if err := editable(e.Stage, Status(row.Status)); err != nil {
			return err
		}
		n, err := s.q.DeleteAttachment(ctx, tx, reportdb.DeleteAttachmentParams{ID: id, ReportID: row.ID})
		if err == nil && n == 0 {
			return fault.NotFoundf("attachment_id", "is not an attachment of this report")
		}
		return err
	})
}

// Publish lets the public read an attachment (or stops it). Organisers only.
func (s *Service) Publish(ctx context.Context, actor *auth.Principal, id uuid.UUID, published bool) (Attachment, error) {
	if !actor.Organiser {
		return Attachment{}, fault.Deniedf("only organisers publish attachments")
	}
	a, err := s.q.SetAttachmentPublished(ctx, s.pool, reportdb.SetAttachmentPublishedParams{ID: id, Published: published})
	if errors.Is(err, pgx.ErrNoRows) {
		return Attachment{}, fault.NotFoundf("attachment_id", "no such attachment")
	}
	return attachmentFromRow(a), err
}

// OpenAttachment returns an attachment's bytes to a reader allowed to read it: whoever may read the
// report (its expert, the organisers, the edition's experts and jurors once it is accepted, everyone
// once the results are announced), but an announced edition's public only for a published attachment
// of a distinguished practice. viewer is nil for an anonymous reader. The reader fails at its end if
// the bytes are not the ones stored.
func (s *Service) OpenAttachment(ctx context.Context, viewer *auth.Principal, id uuid.UUID) (io.ReadCloser, Attachment, error) {
	if s.files == nil {
		return nil, Attachment{}, errNoStore()
	}
	row, err := s.q.GetAttachment(ctx, s.pool, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Attachment{}, fault.NotFoundf("attachment_id", "no such attachment")
	}
	if err != nil {
		return nil, Attachment{}, err
	}
	a := attachmentFromRow(row.Attachment)
	e, err := edition.Load(ctx, s.pool, row.EditionID)
	if err != nil {
		return nil, Attachment{}, err
	}
	public := func() error {
		if !a.Published || e.Stage != edition.Announced {
			return fault.NotFoundf("attachment_id", "no such attachment")
		}
		ok, err := s.q.PracticeDistinguished(ctx, s.pool, a.PracticeID)
		if err != nil {
			return err
		}
		if !ok {
			return fault.NotFoundf("attachment_id", "no such attachment")
		}
		return nil
	}
	// The edition's own people read a file as they read its report (mayRead); others, signed in or
	// not, only as the public does: the report's text being public after the announcement does not
	// publish its files.
	inEdition := false
	if viewer != nil {
		_, expert := viewer.Holds(e.ID, auth.RoleExpert)
		_, juror := viewer.Holds(e.ID, auth.RoleJuror)
		inEdition = viewer.Organiser || expert || juror
	}
	if !inEdition || mayRead(viewer, e, row.CityID, Status(row.ReportStatus)) != nil {
		err = public()
	}
	if err != nil {
		return nil, Attachment{}, err
	}
	r, _, err := s.files.Open(ctx, a.SHA256)
	if err != nil {
		return nil, Attachment{}, fmt.Errorf("attachment %s (%s): %w", a.ID, a.SHA256, err)
	}
	return r, a, nil
}
