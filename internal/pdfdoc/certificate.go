package pdfdoc

import (
	"fmt"
	"io"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/language"
)

// Certificate is a one-page certificate to print and frame: a landscape A4 page with a double
// border, every line centred, the recipient large, and QR codes in the bottom corners. Its strings
// are cleaned as Document's are; a text too long for its place is cut with an ellipsis (the
// subject after three lines), so that the certificate always stays one page.
type Certificate struct {
	// Kicker is the small line at the top, e.g. the award's name.
	Kicker string
	// Title is the largest line, e.g. "Wyróżnienie"; also the PDF's metadata title.
	Title string
	// Lead introduces the recipient, e.g. "The jury of Miasta Otwarte 2015 distinguishes".
	Lead string
	// Recipient is who the certificate is for (the city); also the PDF's metadata subject.
	Recipient string
	// Subject is what it is for (the practice's title), in italics, up to three lines.
	Subject string
	// Lines are label/value lines under the subject (the category, the edition, the date).
	Lines []Field
	// Codes are drawn in the bottom corners, the first at the left, the second at the right, each
	// with its heading and caption beside it, towards the page's centre. Others are left out.
	Codes []Code
	// Footer is the small line at the bottom, e.g. the certificate's identifier.
	Footer string
	// Language and Created are as in Document.
	Language string
	Created  time.Time
}

// Colours of the certificate beside the document's: a gold for the frame and the rule under the
// title.
var colGold = [3]int{176, 132, 40}

// RenderCertificate writes c to w as a one-page landscape A4 PDF.
func RenderCertificate(w io.Writer, c Certificate) error {
	created := c.Created.UTC()
	if c.Created.IsZero() {
		created = time.Unix(0, 0).UTC()
	}
	lang := ""
	if c.Language != "" {
		tag, err := language.Parse(c.Language)
		if err != nil {
			return fmt.Errorf("language %q: %w", c.Language, err)
		}
		lang = tag.String()
	}
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCreator("Miasta Otwarte", true)
	if t := oneLine(c.Title); t != "" {
		pdf.SetTitle(t, true)
	}
	if r := oneLine(c.Recipient); r != "" {
		pdf.SetSubject(r, true)
	}
	if lang != "" {
		pdf.SetLang(lang)
	}
	pdf.AddUTF8FontFromBytes(family, "", RegularTTF)
	pdf.AddUTF8FontFromBytes(family, "B", BoldTTF)
	pdf.AddUTF8FontFromBytes(family, "I", ItalicTTF)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCellMargin(0)
	pdf.AddPage()

	const pageW, pageH = 297.0, 210.0
	const side = 34.0 // the text's margin: inside the frame, with room
	width := pageW - 2*side
	// The frame: a gold line and a thin blue one inside it.
	setColor(pdf.SetDrawColor, colGold)
	pdf.SetLineWidth(1.4)
	pdf.Rect(10, 10, pageW-20, pageH-20, "D")
	setColor(pdf.SetDrawColor, colHeading)
	pdf.SetLineWidth(0.3)
	pdf.Rect(14, 14, pageW-28, pageH-28, "D")

	centred := func(style string, size, lineHeight float64, col [3]int, s string, maxLines int) {
		s = oneLine(s)
		if s == "" {
			return
		}
		pdf.SetFont(family, style, size)
		setColor(pdf.SetTextColor, col)
		lines := pdf.SplitText(s, width)
		if len(lines) > maxLines {
			lines = lines[:maxLines]
			lines[maxLines-1] = fit(pdf, lines[maxLines-1]+" …", width)
		}
		for _, l := range lines {
			pdf.SetX(side)
			pdf.CellFormat(width, lineHeight, l, "", 1, "C", false, 0, "")
		}
	}
	pdf.SetY(26)
	centred("B", 11, 6, colMuted, c.Kicker, 1)
	pdf.Ln(3)
	centred("B", 34, 14, colHeading, c.Title, 1)
	y := pdf.GetY() + 2
	setColor(pdf.SetDrawColor, colGold)
	pdf.SetLineWidth(0.8)
	pdf.Line(pageW/2-25, y, pageW/2+25, y)
	pdf.SetY(y + 6)
	centred("I", 13, 7, colText, c.Lead, 2)
	pdf.Ln(2)
	centred("B", 28, 12, colText, c.Recipient, 2)
	pdf.Ln(2)
	centred("I", 15, 7.5, colHeading, c.Subject, 3)
	pdf.Ln(4)
	for _, l := range c.Lines {
		v := oneLine(l.Text)
		if v == "" {
			continue
		}
		label := oneLine(l.Label)
		pdf.SetFont(family, "B", 10.5)
		lw := pdf.GetStringWidth(label + ": ")
		pdf.SetFont(family, "", 10.5)
		v = fit(pdf, v, width-lw)
		vw := pdf.GetStringWidth(v)
		pdf.SetX(pageW/2 - (lw+vw)/2)
		setColor(pdf.SetTextColor, colMuted)
		pdf.SetFont(family, "B", 10.5)
		if label != "" {
			pdf.CellFormat(lw, 5.6, label+": ", "", 0, "L", false, 0, "")
		}
		setColor(pdf.SetTextColor, colText)
		pdf.SetFont(family, "", 10.5)
		pdf.CellFormat(vw, 5.6, v, "", 1, "L", false, 0, "")
	}

	// The codes in the bottom corners, captions towards the centre.
	const size, bottom = 30.0, 22.0
	for i, code := range c.Codes {
		if i > 1 || len(code.Modules) == 0 {
			break
		}
		n := len(code.Modules)
		bad := false
		for _, row := range code.Modules {
			bad = bad || len(row) != n
		}
		if bad {
			continue
		}
		x := 24.0
		if i == 1 {
			x = pageW - 24 - size
		}
		top := pageH - bottom - size
		cell := size / float64(n)
		pdf.SetFillColor(0, 0, 0)
		for r, row := range code.Modules {
			for col, dark := range row {
				if dark {
					pdf.Rect(x+float64(col)*cell, top+float64(r)*cell, cell+0.01, cell+0.01, "F")
				}
			}
		}
		textW := 70.0
		textX, align := x+size+4, "L"
		if i == 1 {
			textX, align = x-4-textW, "R"
		}
		pdf.SetXY(textX, top+4)
		pdf.SetFont(family, "B", 9)
		setColor(pdf.SetTextColor, colHeading)
		pdf.MultiCell(textW, 4.4, fit(pdf, oneLine(code.Heading), textW), "", align, false)
		pdf.SetX(textX)
		pdf.SetFont(family, "", 7.5)
		setColor(pdf.SetTextColor, colMuted)
		caption := pdf.SplitText(oneLine(code.Caption), textW)
		if len(caption) > 5 {
			caption = caption[:5]
		}
		for _, l := range caption {
			pdf.SetX(textX)
			pdf.CellFormat(textW, 3.6, l, "", 1, align, false, 0, "")
		}
	}
	if f := oneLine(c.Footer); f != "" {
		pdf.SetFont(family, "", 7.5)
		setColor(pdf.SetTextColor, colMuted)
		pdf.SetXY(side, pageH-18)
		pdf.CellFormat(width, 4, fit(pdf, f, width), "", 0, "C", false, 0, "")
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("lay out certificate: %w", err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

// Code is a square two-dimensional code (a QR code), drawn in vector so that it prints sharp at
// any size. Modules are its rows of modules, true for dark, without the quiet zone (the page
// leaves one around it). A code whose rows are not all as long as there are rows is left out.
type Code struct {
	Modules [][]bool
	// Heading and Caption are drawn beside the code: a bold line and a small text (a URL may be in it).
	Heading, Caption string
}
