// Package edition owns editions of the award: their timeline, reporting cities, categories and
// criteria, and the stage machine DRAFT → REPORTING → REVIEW → JURY → TALLIED → ANNOUNCED.
package edition

import (
	"errors"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // deadlines are shown in Europe/Warsaw even on machines without a zone database

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/miasta-otwarte/miasta/internal/edition/editiondb"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// Stage is where an edition is in the process; the order of the constants is the process order.
type Stage string

// The stages, in order.
const (
	Draft     Stage = "DRAFT"
	Reporting Stage = "REPORTING"
	Review    Stage = "REVIEW"
	Jury      Stage = "JURY"
	Tallied   Stage = "TALLIED"
	Announced Stage = "ANNOUNCED"
)

// Stages lists every stage in process order.
var Stages = []Stage{Draft, Reporting, Review, Jury, Tallied, Announced}

// Index is the stage's position in the process, from 0; -1 for an unknown stage.
func (s Stage) Index() int { return slices.Index(Stages, s) }

// Publication says what of the jury's ballots the edition publishes once its results are announced
// (§12 of the audit specification). It is fixed when the edition is created.
type Publication string

// The publication settings.
const (
	// PublishNames: ballots under the jurors' names.
	PublishNames Publication = "NAMES"
	// PublishPseudonyms: ballots under pseudonyms; a juror's home city stays public, so a city with one
	// juror names that juror's ballot.
	PublishPseudonyms Publication = "PSEUDONYMS"
	// PublishAggregates: no ballot; only each nomination's anonymous marks, and jurors' cities committed.
	PublishAggregates Publication = "AGGREGATES"
)

// Spec is the setting as the audit specification names it.
func (p Publication) Spec() string { return strings.ToLower(string(p)) }

// specTime writes an instant as the audit data does, nil staying nil.
func specTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := verify.FormatTime(*t)
	return &s
}

// Timeline holds an edition's deadlines; nil means not set.
type Timeline struct {
	ReportingDeadline *time.Time
	JuryDeadline      *time.Time
	CeremonyTime      *time.Time
}

// Edition is one year's award.
type Edition struct {
	ID                uuid.UUID
	Year              int32
	Name              string
	Stage             Stage
	Timeline          Timeline
	Cities            []City // reporting cities in Polish order
	BallotPublication Publication
	PreviousEditionID *uuid.UUID
	// Languages are the languages the edition is run in, Polish first.
	Languages []string
	// Names is the name per language, Polish (Name) included.
	Names Texts
	// Demonstration marks invented data: every page, file and feed that shows the edition says so.
	Demonstration bool
	// DataLicence is the SPDX identifier of the licence of the edition's open data.
	DataLicence string
	// DeliberationNames: the organisers' deliberation shows jurors by name rather than pseudonym.
	DeliberationNames bool
	// PersonSalt keys the edition's person identifiers in the audit log (event.Person).
	PersonSalt []byte
	CreateTime time.Time
	UpdateTime time.Time
}

// HasCity reports whether the city reports in this edition.
func (e Edition) HasCity(id uuid.UUID) bool {
	return slices.ContainsFunc(e.Cities, func(c City) bool { return c.ID == id })
}

// City is a city government.
type City struct {
	ID   uuid.UUID
	Name string
}

// Category is an award category of an edition.
type Category struct {
	ID          uuid.UUID
	EditionID   uuid.UUID
	Number      int32
	NamePL      string
	NameEN      string
	Description string
	// Names and Descriptions hold the texts per language, Polish included (NamePL, Description).
	Names, Descriptions Texts
}

// Criterion is a judging criterion of an edition.
type Criterion struct {
	ID          uuid.UUID
	EditionID   uuid.UUID
	Number      int32
	NamePL      string
	NameEN      string
	Description string
	// Names and Descriptions hold the texts per language, Polish included (NamePL, Description).
	Names, Descriptions Texts
}

// Warsaw is the award's time zone: deadlines are instants, shown to people in Europe/Warsaw time.
var Warsaw = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		panic(err) // time/tzdata is embedded, so this cannot happen
	}
	return loc
}()

// InWarsaw formats an instant for messages, e.g. "2015-05-14 15:30 (Europe/Warsaw)".
func InWarsaw(t time.Time) string {
	return t.In(Warsaw).Format("2006-01-02 15:04") + " (Europe/Warsaw)"
}

// SortCities sorts cities by name in Polish alphabetical order (Łódź after Lublin, Ś after S).
func SortCities(cities []City) {
	c := collate.New(language.Polish)
	slices.SortStableFunc(cities, func(a, b City) int { return c.CompareString(a.Name, b.Name) })
}

func editionFromRow(r editiondb.Edition, cities []editiondb.City) Edition {
	e := Edition{
		ID:    r.ID,
		Year:  r.Year,
		Name:  r.Name,
		Stage: Stage(r.Stage),
		Timeline: Timeline{
			ReportingDeadline: r.ReportingDeadline,
			JuryDeadline:      r.JuryDeadline,
			CeremonyTime:      r.CeremonyTime,
		},
		BallotPublication: Publication(r.BallotPublication),
		PreviousEditionID: r.PreviousEditionID,
		Languages:         r.Languages,
		Names:             texts(r.Name, r.NameTexts),
		Demonstration:     r.Demonstration,
		DataLicence:       r.DataLicence,
		DeliberationNames: r.DeliberationNames,
		PersonSalt:        r.PersonSalt,
		CreateTime:        r.CreateTime,
		UpdateTime:        r.UpdateTime,
	}
	for _, c := range cities {
		e.Cities = append(e.Cities, City{ID: c.ID, Name: c.Name})
	}
	SortCities(e.Cities)
	return e
}

func categoryFromRow(r editiondb.Category) Category {
	c := Category{ID: r.ID, EditionID: r.EditionID, Number: r.Number, NamePL: r.NamePl, Description: r.Description,
		Names: texts(r.NamePl, r.NameTexts), Descriptions: texts(r.Description, r.DescriptionTexts)}
	c.NameEN = c.Names["en"]
	return c
}

func criterionFromRow(r editiondb.Criterion) Criterion {
	c := Criterion{ID: r.ID, EditionID: r.EditionID, Number: r.Number, NamePL: r.NamePl, Description: r.Description,
		Names: texts(r.NamePl, r.NameTexts), Descriptions: texts(r.Description, r.DescriptionTexts)}
	c.NameEN = c.Names["en"]
	return c
}

// notFound turns pgx.ErrNoRows into a NotFound fault naming field; other errors pass through.
func notFound(err error, field, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fault.NotFoundf(field, "no such %s", what)
	}
	return err
}
