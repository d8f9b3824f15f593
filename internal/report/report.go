// Package report owns stage 1: each reporting city's expert report (practices and follow-ups on the
// previous edition's distinguished practices), the organisers' review, and the shortlist of
// nominations that the jury scores.
package report

import (
	"time"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/edition"
)

// Status is where a report is in stage 1.
type Status string

// The statuses; NotStarted is never stored, it is the status of a report with no row.
const (
	NotStarted Status = "NOT_STARTED"
	Draft      Status = "DRAFT"
	Submitted  Status = "SUBMITTED"
	Returned   Status = "RETURNED"
	Accepted   Status = "ACCEPTED"
)

// Outcome is what became of a practice distinguished in the previous edition.
type Outcome string

// The outcomes; Unspecified until the expert says.
const (
	Unspecified Outcome = "UNSPECIFIED"
	Continued   Outcome = "CONTINUED"
	Expanded    Outcome = "EXPANDED"
	Shrank      Outcome = "SHRANK"
	Ended       Outcome = "ENDED"
)

// Report is one city's report in one edition.
type Report struct {
	ID            uuid.UUID // uuid.Nil before the first save
	EditionID     uuid.UUID
	City          edition.City
	Status        Status
	Version       int64
	Introduction  string
	Practices     []Practice
	FollowUps     []FollowUp
	Attachments   []Attachment // of the current practices; not part of Content (they are not text)
	ReturnComment string
	CreateTime    *time.Time
	UpdateTime    *time.Time
	SubmitTime    *time.Time
	ReturnTime    *time.Time
	AcceptTime    *time.Time
}

// Practice is something the city government does for migrants, in one category.
type Practice struct {
	ID            uuid.UUID
	Title         string
	Description   string
	CategoryID    uuid.UUID
	SinceYear     int32 // 0 when unknown
	Partners      string
	TargetGroups  string
	EvidenceLinks []string
	Narratives    []Narrative
}

// Narrative is the expert's account of a practice against one criterion.
type Narrative struct {
	CriterionID uuid.UUID `json:"criterion_id"`
	Text        string    `json:"text"`
}

// FollowUp is the expert's account of a practice distinguished for the city in the previous edition.
type FollowUp struct {
	PreviousNominationID uuid.UUID
	PreviousTitle        string
	PreviousCategoryName string
	Outcome              Outcome
	Narrative            string
}

// Edit is what an expert saves: the whole editable content of the report, or (Changes set) the
// changes to make to ExpectedVersion.
type Edit struct {
	ExpectedVersion int64
	Introduction    string
	Practices       []Practice
	FollowUps       []FollowUp
	Changes         []Change
}

// StatusSummary is a report's status without its text.
type StatusSummary struct {
	City          edition.City
	Status        Status
	Version       int64
	PracticeCount int32
	UpdateTime    *time.Time
	SubmitTime    *time.Time
	ReturnTime    *time.Time
	AcceptTime    *time.Time
}

// Nomination is a practice on the shortlist of a category.
type Nomination struct {
	ID                 uuid.UUID
	EditionID          uuid.UUID
	CategoryID         uuid.UUID
	City               edition.City
	Practice           Practice
	Attachments        []Attachment // the practice's files, where the reader may read them
	RecategoriseReason string
	CreateTime         time.Time
}
