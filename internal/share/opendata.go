package share

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/results"
)

// OpenData is an announced edition's open data (GET /open-data/{year}.json): its public practices,
// nominations and results (every rank), under the licence the organisers chose.
type OpenData struct {
	Edition     DataEdition      `json:"edition"`
	License     DataLicence      `json:"license"`
	Categories  []DataCategory   `json:"categories"`
	Criteria    []DataCriterion  `json:"criteria"`
	Practices   []DataPractice   `json:"practices"`
	Nominations []DataNomination `json:"nominations"`
	Results     []DataResult     `json:"results"`
	// modified is when the data last changed: the announcement, or a later change of the edition
	// (its licence), for Last-Modified.
	modified time.Time
}

// DataEdition is the edition the data is of.
type DataEdition struct {
	Year      int32             `json:"year"`
	Name      string            `json:"name"`
	Names     map[string]string `json:"names"`
	Announced time.Time         `json:"announced"`
	URL       string            `json:"url"`
	// Bundle is the audit bundle, with which anyone recomputes the results (see README's Verifying).
	Bundle string `json:"audit_bundle"`
	// Demonstration marks a demonstration edition: the process is real, the data invented.
	Demonstration bool `json:"demonstration"`
}

// DataLicence is the data's licence.
type DataLicence struct {
	ID   string `json:"id"` // SPDX
	Name string `json:"name"`
	URL  string `json:"url"`
}

// DataCategory is a category of the edition.
type DataCategory struct {
	ID     string `json:"id"`
	Number int32  `json:"number"`
	NamePL string `json:"name_pl"`
	NameEN string `json:"name_en"`
}

// DataCriterion is a judging criterion of the edition.
type DataCriterion struct {
	ID     string `json:"id"`
	Number int32  `json:"number"`
	NamePL string `json:"name_pl"`
	NameEN string `json:"name_en"`
}

// DataPractice is a public practice.
type DataPractice struct {
	ID             string   `json:"id"`
	City           string   `json:"city"`
	CityID         string   `json:"city_id"`
	CategoryNumber int32    `json:"category_number"`
	Title          string   `json:"title"`
	Description    string   `json:"description"`
	SinceYear      int32    `json:"since_year,omitempty"`
	Partners       string   `json:"partners"`
	TargetGroups   string   `json:"target_groups"`
	EvidenceLinks  []string `json:"evidence_links"`
	NominationID   string   `json:"nomination_id,omitempty"`
	URL            string   `json:"url"`
}

// DataNomination is a shortlisted practice in the category it competed in.
type DataNomination struct {
	ID             string `json:"id"`
	PracticeID     string `json:"practice_id"`
	CategoryNumber int32  `json:"category_number"`
	City           string `json:"city"`
}

// DataResult is a nomination's place in its category.
type DataResult struct {
	CategoryNumber int32  `json:"category_number"`
	NominationID   string `json:"nomination_id"`
	PracticeID     string `json:"practice_id"`
	City           string `json:"city"`
	Practice       string `json:"practice"`
	Rank           int    `json:"rank"` // 0 when the quorum was not met
	// Score is exact (a fraction such as "37/2"), ScoreDecimal the same to four places; both
	// empty when the quorum was not met.
	Score        string `json:"score"`
	ScoreDecimal string `json:"score_decimal"`
	Winner       bool   `json:"winner"`
	QuorumMet    bool   `json:"quorum_met"`
	Jurors       int    `json:"jurors"`
	Certificate  string `json:"certificate,omitempty"`
}

// openData builds the edition's open data.
func (s *Service) openData(res Results) OpenData {
	e := res.Edition
	lic, ok := edition.LicenceByID(e.DataLicence)
	if !ok {
		lic = edition.DataLicences[0]
	}
	out := OpenData{
		Edition: DataEdition{Year: e.Year, Name: e.Name, Names: e.Names, Announced: e.Announced.UTC(), URL: s.base + "/results/" + year(e.Year),
			Bundle: s.base + "/audit/" + year(e.Year) + "/bundle.json", Demonstration: e.Demonstration},
		License:     DataLicence{ID: lic.ID, Name: lic.Name, URL: lic.URL},
		Categories:  []DataCategory{},
		Criteria:    []DataCriterion{},
		Practices:   []DataPractice{},
		Nominations: []DataNomination{},
		Results:     []DataResult{},
		modified:    e.Announced,
	}
	if e.UpdateTime.After(out.modified) {
		out.modified = e.UpdateTime
	}
	for _, c := range res.Categories {
		out.Categories = append(out.Categories, DataCategory{ID: c.Category.ID.String(), Number: c.Category.Number, NamePL: c.Category.NamePL, NameEN: c.Category.NameEN})
	}
	for _, c := range res.Criteria {
		out.Criteria = append(out.Criteria, DataCriterion{ID: c.ID.String(), Number: c.Number, NamePL: c.NamePL, NameEN: c.NameEN})
	}
	for _, p := range res.Practices {
		d := DataPractice{ID: p.ID.String(), City: p.City.Name, CityID: p.City.ID.String(), CategoryNumber: p.Category.Number, Title: p.Title,
			Description: p.Description, SinceYear: p.SinceYear, Partners: p.Partners, TargetGroups: p.TargetGroups, EvidenceLinks: p.Links,
			URL: s.base + "/practices/" + p.ID.String()}
		if d.EvidenceLinks == nil {
			d.EvidenceLinks = []string{}
		}
		if p.Nomination != nil {
			d.NominationID = p.Nomination.String()
		}
		out.Practices = append(out.Practices, d)
	}
	for _, c := range res.Categories {
		for _, n := range c.Ranked {
			out.Nominations = append(out.Nominations, DataNomination{ID: n.NominationID.String(), PracticeID: n.Practice.ID.String(),
				CategoryNumber: c.Category.Number, City: n.Practice.City.Name})
			score, dec := scoreText(n.Score)
			r := DataResult{CategoryNumber: c.Category.Number, NominationID: n.NominationID.String(), PracticeID: n.Practice.ID.String(),
				City: n.Practice.City.Name, Practice: n.Practice.Title, Rank: n.Rank, Score: score, ScoreDecimal: dec, Winner: n.Winner,
				QuorumMet: n.QuorumMet, Jurors: n.Jurors}
			if n.Winner {
				r.Certificate = s.base + "/certificates/" + n.NominationID.String() + ".pdf"
			}
			out.Results = append(out.Results, r)
		}
	}
	return out
}

func scoreText(r *big.Rat) (exact, decimal string) {
	if r == nil {
		return "", ""
	}
	return r.RatString(), r.FloatString(4)
}

// JSON is the open data as indented JSON.
func (d OpenData) JSON() ([]byte, error) {
	return json.MarshalIndent(d, "", "  ")
}

// The CSV files of the open data, each with its header.
var (
	PracticesHeader   = []string{"practice_id", "year", "city_id", "city", "category_number", "category_pl", "category_en", "title", "description", "since_year", "partners", "target_groups", "evidence_links", "nomination_id", "url"}
	NominationsHeader = []string{"nomination_id", "practice_id", "year", "category_number", "category_pl", "category_en", "city", "practice", "url"}
	ResultsHeader     = []string{"year", "category_number", "category_pl", "category_en", "rank", "winner", "nomination_id", "practice_id", "city", "practice", "score", "score_decimal", "quorum_met", "jurors"}
)

// CSV is one of the open data's tables (practices, nominations or results) as CSV, every cell
// spreadsheet-safe (results.CSVCell); ok false for another name.
func (d OpenData) CSV(table string) (body []byte, ok bool, err error) {
	cats := map[int32]DataCategory{}
	for _, c := range d.Categories {
		cats[c.Number] = c
	}
	practices := map[string]DataPractice{}
	for _, p := range d.Practices {
		practices[p.ID] = p
	}
	y := year(d.Edition.Year)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	write := func(cells ...string) {
		for i, c := range cells {
			cells[i] = results.CSVCell(c)
		}
		_ = w.Write(cells)
	}
	switch table {
	case "practices":
		write(PracticesHeader...)
		for _, p := range d.Practices {
			since := ""
			if p.SinceYear > 0 {
				since = strconv.Itoa(int(p.SinceYear))
			}
			c := cats[p.CategoryNumber]
			write(p.ID, y, p.CityID, p.City, strconv.Itoa(int(p.CategoryNumber)), c.NamePL, c.NameEN, p.Title, p.Description, since,
				p.Partners, p.TargetGroups, strings.Join(p.EvidenceLinks, " "), p.NominationID, p.URL)
		}
	case "nominations":
		write(NominationsHeader...)
		for _, n := range d.Nominations {
			c := cats[n.CategoryNumber]
			p := practices[n.PracticeID]
			write(n.ID, n.PracticeID, y, strconv.Itoa(int(n.CategoryNumber)), c.NamePL, c.NameEN, n.City, p.Title, p.URL)
		}
	case "results":
		write(ResultsHeader...)
		for _, r := range d.Results {
			c := cats[r.CategoryNumber]
			write(y, strconv.Itoa(int(r.CategoryNumber)), c.NamePL, c.NameEN, strconv.Itoa(r.Rank), strconv.FormatBool(r.Winner), r.NominationID,
				r.PracticeID, r.City, r.Practice, r.Score, r.ScoreDecimal, strconv.FormatBool(r.QuorumMet), strconv.Itoa(r.Jurors))
		}
	default:
		return nil, false, nil
	}
	w.Flush()
	return buf.Bytes(), true, w.Error()
}
