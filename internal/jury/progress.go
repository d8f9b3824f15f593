package jury

import (
	"time"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/report"
)

// Progress states, per juror and category.
const (
	NotStarted = "NOT_STARTED"
	Drafted    = "DRAFT"
	CastState  = "CAST"
	Recused    = "RECUSED"
)

// JurorProgress is one juror's progress per category, without any score.
type JurorProgress struct {
	AssignmentID uuid.UUID
	DisplayName  string
	// RevokeTime is when the juror's role was revoked; nil while it holds.
	RevokeTime *time.Time
	Categories []CategoryProgress
	Declared   []Recusal
	// Reads are the translations the juror read for their last cast.
	Reads []TranslationRead
}

// CategoryProgress is a juror's state in one category.
type CategoryProgress struct {
	CategoryID uuid.UUID
	State      string
}

// BallotNomination is a nomination of the shortlist as a juror sees it: with their recusal, if any.
type BallotNomination struct {
	Nomination report.Nomination
	Recusal    *Recusal
}
