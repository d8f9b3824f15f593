// Package demo seeds the demonstration edition (2016, the year after the archive's past edition of
// 2015) of Miasta Otwarte as DESIGN.md describes it, marked as demonstration data: the twelve cities
// of the Union of Polish Metropolises, the six expert cities, the eleven categories, the four criteria
// and five jurors with their home cities, with one demo account per person.
package demo

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/identity"
)

// Year is the demo edition's year.
const Year = 2016

// Person is a demo account: who signs in, and the role the seed invites them to.
type Person struct {
	Email    string
	Name     string
	Role     string // "organiser", "expert", "juror" or "translator"
	City     string // the expert's city or the juror's home city; none for the translator
	Language string
}

// Subject is the stable "sub" a development provider gives a demo e-mail.
func Subject(email string) string { return "demo-" + email }

// OrganiserEmail is the demo organiser's address; `miasta dev` configures it as an organiser.
const OrganiserEmail = "organizator@miasta.test"

// People lists every demo account. Jurors are fictional people from the 2015 jury's home cities and
// countries of origin; the names exercise Unicode end to end.
var People = []Person{
	{OrganiserEmail, "Organizatorka Fundacji", "organiser", "", "pl"},
	{"ekspert.warszawa@miasta.test", "Ekspertka z Warszawy", "expert", "Warszawa", "pl"},
	{"ekspert.krakow@miasta.test", "Ekspert z Krakowa", "expert", "Kraków", "pl"},
	{"ekspert.lublin@miasta.test", "Ekspertka z Lublina", "expert", "Lublin", "pl"},
	{"ekspert.poznan@miasta.test", "Ekspert z Poznania", "expert", "Poznań", "pl"},
	{"ekspert.lodz@miasta.test", "Ekspertka z Łodzi", "expert", "Łódź", "pl"},
	{"ekspert.gdansk@miasta.test", "Ekspert z Gdańska", "expert", "Gdańsk", "pl"},
	{"juror.lodz@miasta.test", "Amani Wanjiru", "juror", "Łódź", "en"},
	{"juror.gdansk@miasta.test", "Kwame Owusu", "juror", "Gdańsk", "en"},
	{"juror.wroclaw@miasta.test", "Yusniel Pérez", "juror", "Wrocław", "es"},
	{"juror.lublin@miasta.test", "Олена Коваленко", "juror", "Lublin", "uk"},
	{"juror.warszawa@miasta.test", "Nguyễn Thị Lan", "juror", "Warszawa", "vi"},
	{TranslatorEmail, "Тетяна Мельник", "translator", "", "uk"},
}

// Cities are the twelve cities of the Union of Polish Metropolises.
var Cities = []string{
	"Białystok", "Bydgoszcz", "Gdańsk", "Katowice", "Kraków", "Lublin",
	"Łódź", "Poznań", "Rzeszów", "Szczecin", "Warszawa", "Wrocław",
}

// PeopleCSV is the demo experts and jurors as a file for IdentityService.ImportInvitations.
func PeopleCSV() string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"name", "email", "role", "city", "home_city", "language"})
	for _, p := range People {
		switch p.Role {
		case "expert":
			_ = w.Write([]string{p.Name, p.Email, p.Role, p.City, "", p.Language})
		case "juror":
			_ = w.Write([]string{p.Name, p.Email, p.Role, "", p.City, p.Language})
		}
	}
	w.Flush()
	return b.String()
}

// Seed creates the demo edition through the domain services (so every step is an event, as if an
// organiser had done it), invites the translator (into TranslatorLanguages) and opens reporting. Deadlines are set relative to now so the demo can be
// walked through. It does nothing when an edition for Year exists already.
func Seed(ctx context.Context, editions *edition.Service, people *identity.Store, organiser *auth.Principal, now time.Time) (edition.Edition, error) {
	existing, _, err := editions.List(ctx, organiser, 100, "")
	if err != nil {
		return edition.Edition{}, err
	}
	for _, e := range existing {
		if e.Year == Year {
			return e, nil
		}
	}
	cityIDs := map[string]edition.City{}
	all, _, err := editions.ListCities(ctx, 500, "")
	if err != nil {
		return edition.Edition{}, err
	}
	for _, c := range all {
		cityIDs[c.Name] = c
	}
	for _, name := range Cities {
		if _, ok := cityIDs[name]; ok {
			continue
		}
		c, err := editions.CreateCity(ctx, organiser, name)
		if err != nil {
			return edition.Edition{}, fmt.Errorf("city %s: %w", name, err)
		}
		cityIDs[name] = c
	}
	day := 24 * time.Hour
	reporting, jury, ceremony := now.Add(30*day), now.Add(60*day), now.Add(75*day)
	e, err := editions.Create(ctx, organiser, edition.NewEdition{
		Year:              Year,
		Name:              EditionName.PL,
		Timeline:          edition.Timeline{ReportingDeadline: &reporting, JuryDeadline: &jury, CeremonyTime: &ceremony},
		BallotPublication: edition.PublishPseudonyms,
		Languages:         edition.Languages,
		Demonstration:     true,
	})
	if err != nil {
		return edition.Edition{}, err
	}
	// Each text in Polish and English as it is created, then in the other languages as translations.
	var texts []edition.Text
	add := func(id uuid.UUID, f edition.Field, t T) {
		for l, s := range t.Map() {
			if l != "pl" {
				texts = append(texts, edition.Text{SubjectID: id, Field: f, Language: l, Text: s})
			}
		}
	}
	add(e.ID, edition.FieldName, EditionName)
	for i, c := range Categories {
		cat, err := editions.CreateCategory(ctx, organiser, edition.Category{EditionID: e.ID, Number: int32(i + 1), NamePL: c.PL, NameEN: c.EN})
		if err != nil {
			return edition.Edition{}, fmt.Errorf("category %d: %w", i+1, err)
		}
		add(cat.ID, edition.FieldName, c)
	}
	for i, c := range Criteria {
		crit, err := editions.CreateCriterion(ctx, organiser, edition.Criterion{EditionID: e.ID, Number: int32(i + 1), NamePL: c.Name.PL, NameEN: c.Name.EN, Description: c.Guidance.PL})
		if err != nil {
			return edition.Edition{}, fmt.Errorf("criterion %d: %w", i+1, err)
		}
		add(crit.ID, edition.FieldName, c.Name)
		add(crit.ID, edition.FieldDescription, c.Guidance)
	}
	if _, _, _, err := editions.SetTexts(ctx, organiser, e.ID, texts); err != nil {
		return edition.Edition{}, fmt.Errorf("translations: %w", err)
	}
	for _, p := range People {
		if p.Role == "expert" {
			if _, err := editions.AddCity(ctx, organiser, e.ID, cityIDs[p.City].ID); err != nil {
				return edition.Edition{}, fmt.Errorf("reporting city %s: %w", p.City, err)
			}
		}
	}
	// The people come in as an organiser would bring them: one CSV file through the import.
	res, err := people.Import(ctx, organiser, e.ID, PeopleCSV(), false)
	if err != nil {
		return edition.Edition{}, fmt.Errorf("import the demo people: %w (%v)", err, res.Problems)
	}
	for _, p := range People {
		if p.Role == "translator" {
			if _, err := people.Invite(ctx, organiser, identity.NewInvitation{EditionID: e.ID, Email: p.Email, Role: auth.RoleTranslator,
				DisplayName: p.Name, Language: p.Language, Languages: TranslatorLanguages}); err != nil {
				return edition.Edition{}, fmt.Errorf("invite the translator: %w", err)
			}
		}
	}
	return editions.ChangeStage(ctx, organiser, e.ID, edition.StageChange{Target: edition.Reporting})
}
