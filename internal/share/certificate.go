package share

import (
	"fmt"
	"image/color"
	"io"
	"strconv"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/pdfdoc"
)

// Certificate writes the PDF certificate of a distinction in lang, one landscape page to print and
// frame: the city, the practice, the category, the edition and the date of the announcement, with
// two QR codes, one to the practice's page and one to the edition's results, where anyone verifies
// the distinction (the results page checks the audit log in the reader's browser).
func (s *Service) Certificate(w io.Writer, res Results, n Ranked, lang string) error {
	e := res.Edition
	name := editionName(e.Edition, lang)
	practiceURL := s.base + "/practices/" + n.Practice.ID.String() + langQuery(lang)
	resultsURL := s.base + "/results/" + year(e.Year) + langQuery(lang)
	practiceCode, err := qrModules(practiceURL)
	if err != nil {
		return err
	}
	resultsCode, err := qrModules(resultsURL)
	if err != nil {
		return err
	}
	return pdfdoc.RenderCertificate(w, pdfdoc.Certificate{
		Kicker:    text(lang, "award"),
		Title:     text(lang, "distinguished"),
		Lead:      text(lang, "certAwarded", "edition", name),
		Recipient: n.Practice.City.Name,
		Subject:   text(lang, "quote", "text", n.Practice.Title),
		Lines: []pdfdoc.Field{
			{Label: text(lang, "certCategory"), Text: strconv.Itoa(int(n.Category.Number)) + ". " + categoryName(n.Category, lang)},
			{Label: text(lang, "certEdition"), Text: name},
			{Label: text(lang, "certDate"), Text: e.Announced.In(edition.Warsaw).Format("2006-01-02")},
		},
		Codes: []pdfdoc.Code{
			{Modules: practiceCode, Heading: text(lang, "certPracticePage"), Caption: practiceURL},
			{Modules: resultsCode, Heading: text(lang, "certVerify"), Caption: text(lang, "certVerifyText", "results", resultsURL)},
		},
		Footer:   text(lang, "certFooter", "edition", name, "id", n.NominationID.String()),
		Language: lang,
		Created:  e.Announced,
	})
}

// qrModules encodes text as a QR code (error correction M, which survives a crease or a stain) and
// returns its modules, dark true.
func qrModules(text string) ([][]bool, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	return modules(code), nil
}

func modules(code barcode.Barcode) [][]bool {
	b := code.Bounds()
	out := make([][]bool, b.Dy())
	for y := range out {
		out[y] = make([]bool, b.Dx())
		for x := range out[y] {
			g := color.GrayModel.Convert(code.At(b.Min.X+x, b.Min.Y+y)).(color.Gray)
			out[y][x] = g.Y < 128
		}
	}
	return out
}
