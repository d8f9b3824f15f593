// Package pdfdoc renders a structured document (a title, label/value lines, sections of labelled
// long texts) to a plain A4 PDF: an expert's report today, the award's certificates later. It knows
// nothing of reports; the caller maps its data onto Document and localises every word.
//
// The PDF holds real Unicode text, extractable and searchable, because the fonts are embedded as
// UTF-8 TrueType subsets with a ToUnicode map (fpdf's AddUTF8FontFromBytes). The fonts are DejaVu
// Sans (fonts.go), compiled into the binary: every letter of the platform's five languages, the
// Vietnamese ones (ế, ệ, ơ, ư) included, is drawn.
//
// Rendering is deterministic: the same Document gives the same bytes (the dates come from
// Document.Created, fpdf's resource catalogs are sorted, and nothing else varies), so a PDF can be
// cached, hashed and compared.
package pdfdoc

import (
	"fmt"
	"io"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/language"
)

// Document is what Render draws. Every string may hold anything, including invalid UTF-8 and
// control characters: Render cleans what it cannot draw rather than failing, so user-written text
// never makes a PDF impossible. Invalid UTF-8 becomes U+FFFD, control characters other than line
// feed and tab are dropped (a tab becomes four spaces), and so are invisible format characters
// such as the soft hyphen; characters above U+FFFF (emoji) become U+FFFD, because fpdf cannot
// take them; text is put in NFC.
type Document struct {
	// Title is the big heading on page 1 and the PDF's metadata title (what a viewer's title bar
	// and a search index show).
	Title string
	// Subtitle is the line under the title, e.g. city · edition · status. It is also the PDF's
	// metadata subject.
	Subtitle string
	// Meta are short label/value lines under the title (the expert, the date, the version). A line
	// whose value is empty is left out.
	Meta []Field
	// Sections are the body, in order.
	Sections []Section
	// Footer is the text at the bottom of every page, e.g. "Miasta Otwarte · wersja 12 ·
	// 2026-12-03", cut with an ellipsis where it does not fit beside the page label.
	Footer string
	// PageLabel is the page number at the bottom right of every page: a format with exactly two
	// %d verbs, the page and the page count, e.g. "Strona %d z %d" (the caller localises it). %%
	// stands for a percent sign; no other verb is accepted, so that a typo in a translation is an
	// error and not "%!s(int=1)" printed on every page. Empty means "%d / %d".
	PageLabel string
	// Language is the BCP 47 tag of the document's language (e.g. "pl", "uk"), written to the PDF
	// catalog for screen readers and search. Empty writes none; a tag that does not parse is an
	// error.
	Language string
	// Created is the PDF's creation and modification date, written in UTC. It is a field rather
	// than the time of rendering so that the same document always gives the same bytes; the zero
	// time stands for 1970-01-01 00:00 UTC (fpdf itself would take the current time).
	Created time.Time
}

// Section is a heading with its labelled texts and, under them, sub-sections (a practice under a
// part of the report). Sub-sections get a smaller heading; deeper levels look like the second.
// A section with nothing to show at all (no heading, no non-empty field, no such sub-section) is
// left out; a heading whose fields are all empty is kept, since an unanswered part is itself
// something the reader should see.
type Section struct {
	Heading  string
	Fields   []Field
	Sections []Section
}

// Field is a label and its text. Text may be long (100,000 characters and more): it wraps and
// flows across pages. A blank line starts a new paragraph; a single newline breaks the line. A
// field whose text is empty or only white space is left out, label and all.
type Field struct {
	Label string
	Text  string
}

// Render writes d to w as an A4 PDF. It fails only when the caller's settings are wrong (a
// PageLabel or Language that cannot be used) or w fails; the texts themselves cannot make it fail.
func Render(w io.Writer, d Document) error {
	doc, err := prepare(d)
	if err != nil {
		return err
	}
	pdf, err := doc.draw()
	if err != nil {
		return err
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

// Page geometry and typography, in millimetres and points. The body is 10.5 pt on a 5.3 mm line
// (about 1.43 times the size), which keeps long reports readable; 22 mm side margins keep a line
// near 90 characters.
const (
	marginSide    = 22.0
	marginTop     = 20.0
	marginBottom  = 22.0 // above the footer
	footerFromEnd = 14.0 // the footer line's distance from the page's bottom edge

	titleSize, titleLine         = 20.0, 8.8
	subtitleSize, subtitleLine   = 11.0, 5.6
	metaSize, metaLine           = 9.5, 4.9
	headingSize, headingLine     = 14.0, 6.6
	subheadingSize, subheadingLn = 12.0, 5.8
	labelSize, labelLine         = 9.0, 4.6
	bodySize, bodyLine           = 10.5, 5.3
	footerSize, footerLine       = 8.0, 4.0

	paragraphGap = 2.2
	fieldGap     = 3.6
	headingGap   = 7.0 // before a top-level heading
	subheadGap   = 4.5 // before a sub-section's heading
)

// Colours, in RGB: near-black text, muted grey for the secondary lines, a dark blue
// for the section headings so the structure shows at a glance, and a light rule.
var (
	colText    = [3]int{25, 25, 25}
	colMuted   = [3]int{95, 95, 95}
	colHeading = [3]int{22, 54, 92}
	colRule    = [3]int{200, 200, 200}
)

const family = "Go"

// prepared is a Document after cleaning: every string is drawable, empty fields and sections are
// gone, and the settings are checked, so that drawing has no decisions about input left.
type prepared struct {
	title, subtitle string
	meta            []line
	sections        []section
	footer          string
	pageLabel       string
	language        string
	created         time.Time
}

type line struct{ label, value string }

type section struct {
	heading  string
	fields   []field
	sections []section
}

type field struct {
	label string
	paras []string
}

func prepare(d Document) (*prepared, error) {
	p := &prepared{
		title:     oneLine(d.Title),
		subtitle:  oneLine(d.Subtitle),
		footer:    oneLine(d.Footer),
		pageLabel: oneLine(d.PageLabel),
		created:   d.Created.UTC(),
	}
	if p.pageLabel == "" {
		p.pageLabel = "%d / %d"
	}
	if err := checkPageLabel(p.pageLabel); err != nil {
		return nil, err
	}
	if d.Language != "" {
		tag, err := language.Parse(d.Language)
		if err != nil {
			return nil, fmt.Errorf("language %q: %w", d.Language, err)
		}
		// fpdf writes the tag into the catalog unescaped; a parsed tag's canonical form holds
		// only letters, digits and hyphens, so it cannot break the file.
		p.language = tag.String()
	}
	if d.Created.IsZero() {
		p.created = time.Unix(0, 0).UTC()
	}
	for _, m := range d.Meta {
		if v := oneLine(m.Text); v != "" {
			p.meta = append(p.meta, line{label: oneLine(m.Label), value: v})
		}
	}
	p.sections = prepareSections(d.Sections)
	return p, nil
}

func prepareSections(in []Section) []section {
	var out []section
	for _, s := range in {
		c := section{heading: oneLine(s.Heading), sections: prepareSections(s.Sections)}
		for _, f := range s.Fields {
			if paras := paragraphs(f.Text); len(paras) > 0 {
				c.fields = append(c.fields, field{label: oneLine(f.Label), paras: paras})
			}
		}
		if c.heading != "" || len(c.fields) > 0 || len(c.sections) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// checkPageLabel accepts a format whose only verbs are exactly two %d (and any %%), so that
// fmt.Sprintf(label, page, total) prints what the translator meant.
func checkPageLabel(label string) error {
	verbs := 0
	for i := 0; i < len(label); i++ {
		if label[i] != '%' {
			continue
		}
		i++
		if i == len(label) {
			return fmt.Errorf("page label %q ends in a lone %%; write %%%% for a percent sign", label)
		}
		switch label[i] {
		case '%':
		case 'd':
			verbs++
		default:
			return fmt.Errorf("page label %q holds %%%c; only %%d (the page, then the page count) and %%%% are allowed", label, label[i])
		}
	}
	if verbs != 2 {
		return fmt.Errorf("page label %q holds %d %%d; want two, the page and then the page count", label, verbs)
	}
	return nil
}

// draw lays the document out on a new fpdf document, footers last.
func (p *prepared) draw() (*fpdf.Fpdf, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true) // fpdf orders fonts by ranging over a map otherwise
	pdf.SetCreationDate(p.created)
	pdf.SetModificationDate(p.created)
	pdf.SetCreator("Miasta Otwarte", true)
	if p.title != "" {
		pdf.SetTitle(p.title, true)
	}
	if p.subtitle != "" {
		pdf.SetSubject(p.subtitle, true)
	}
	if p.language != "" {
		pdf.SetLang(p.language)
	}
	pdf.AddUTF8FontFromBytes(family, "", RegularTTF)
	pdf.AddUTF8FontFromBytes(family, "B", BoldTTF)
	pdf.AddUTF8FontFromBytes(family, "I", ItalicTTF)
	pdf.SetMargins(marginSide, marginTop, marginSide)
	pdf.SetAutoPageBreak(true, marginBottom)
	pdf.SetCellMargin(0) // text starts exactly at the margin, headings and body alike
	pdf.AddPage()

	r := renderer{pdf: pdf, width: 210 - 2*marginSide}
	r.header(p)
	for _, s := range p.sections {
		r.section(s, 0)
	}

	// The footers are drawn once the page count is known, by going back to every page. fpdf's
	// own way to print the count (an alias replaced as the file is written) measures the alias
	// instead of the number, so a right-aligned label would sit off the margin, and it would
	// replace the alias in the writers' text as well. Going back is safe because fpdf writes the
	// font, line width and draw colour into the page on every call, and the text colour with
	// every cell, rather than assuming what the page last had.
	pdf.SetAutoPageBreak(false, 0) // the footer sits below the break line
	total := pdf.PageCount()
	for page := 1; page <= total; page++ {
		pdf.SetPage(page)
		p.drawFooter(pdf, page, total)
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("lay out pdf: %w", err)
	}
	return pdf, nil
}

func (p *prepared) drawFooter(pdf *fpdf.Fpdf, page, total int) {
	width := 210 - 2*marginSide
	y := 297 - footerFromEnd
	setColor(pdf.SetDrawColor, colRule)
	pdf.SetLineWidth(0.2)
	pdf.Line(marginSide, y, 210-marginSide, y)

	pdf.SetFont(family, "", footerSize)
	setColor(pdf.SetTextColor, colMuted)
	label := fmt.Sprintf(p.pageLabel, page, total)
	labelWidth := pdf.GetStringWidth(label)
	pdf.SetXY(marginSide, y+1.2)
	// A translated label long enough to leave no room wins over the footer text.
	if avail := width - labelWidth - 6; p.footer != "" && avail > 10 {
		pdf.CellFormat(avail, footerLine, fit(pdf, p.footer, avail), "", 0, "L", false, 0, "")
	}
	pdf.SetXY(210-marginSide-labelWidth, y+1.2)
	pdf.CellFormat(labelWidth, footerLine, label, "", 0, "R", false, 0, "")
}

// fit returns s, or as much of it as fits in width followed by an ellipsis. It adds up the
// characters' widths once, so a very long footer costs linear time.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	room := width - pdf.GetStringWidth("…")
	used := 0.0
	for i, r := range s {
		used += pdf.GetStringWidth(string(r))
		if used > room {
			return s[:i] + "…"
		}
	}
	return s
}

func setColor(set func(r, g, b int), c [3]int) { set(c[0], c[1], c[2]) }

// renderer draws the body on one fpdf document.
type renderer struct {
	pdf   *fpdf.Fpdf
	width float64
}

func (r *renderer) header(p *prepared) {
	pdf := r.pdf
	if p.title != "" {
		pdf.SetFont(family, "B", titleSize)
		setColor(pdf.SetTextColor, colText)
		pdf.MultiCell(r.width, titleLine, p.title, "", "L", false)
	}
	if p.subtitle != "" {
		pdf.Ln(1.2)
		pdf.SetFont(family, "I", subtitleSize)
		setColor(pdf.SetTextColor, colMuted)
		pdf.MultiCell(r.width, subtitleLine, p.subtitle, "", "L", false)
	}
	if len(p.meta) > 0 {
		pdf.Ln(3)
		for _, m := range p.meta {
			// Write flows the bold label and the value as one wrapped line, and breaks pages
			// by itself, so a long value is never cut.
			setColor(pdf.SetTextColor, colText)
			if m.label != "" {
				pdf.SetFont(family, "B", metaSize)
				pdf.Write(metaLine, m.label+": ")
			}
			pdf.SetFont(family, "", metaSize)
			pdf.Write(metaLine, m.value)
			pdf.Ln(metaLine)
		}
	}
	if p.title != "" || p.subtitle != "" || len(p.meta) > 0 {
		pdf.Ln(3.5)
		r.rule(0.4)
		pdf.Ln(2)
	}
}

func (r *renderer) rule(width float64) {
	y := r.pdf.GetY()
	setColor(r.pdf.SetDrawColor, colRule)
	r.pdf.SetLineWidth(width)
	r.pdf.Line(marginSide, y, marginSide+r.width, y)
}

// atTop reports whether nothing has been drawn on the current page yet, where a gap before a
// heading would only push the page's text down.
func (r *renderer) atTop() bool { return r.pdf.GetY() <= marginTop+0.01 }

// keep makes room for a block that must not be split from what follows it: when the gap, the
// block and need (the first lines after it) do not fit on the rest of the page, the page ends
// here, so that a heading or a label never stands alone at the bottom of a page.
func (r *renderer) keep(gap, block, need float64) {
	if r.atTop() {
		return
	}
	_, pageHeight := r.pdf.GetPageSize()
	if r.pdf.GetY()+gap+block+need > pageHeight-marginBottom {
		r.pdf.AddPage()
		return
	}
	r.pdf.Ln(gap)
}

func (r *renderer) section(s section, depth int) {
	pdf := r.pdf
	// What must follow a heading on its page: the first field's label and two lines of its
	// text, or a sub-section's heading.
	need := 2 * bodyLine
	if len(s.fields) > 0 && s.fields[0].label != "" {
		need += labelLine + 1
	} else if len(s.fields) == 0 && len(s.sections) > 0 {
		need = subheadingLn + labelLine + 2*bodyLine
	}
	if s.heading != "" {
		size, lineHeight, gap := headingSize, headingLine, headingGap
		if depth > 0 {
			size, lineHeight, gap = subheadingSize, subheadingLn, subheadGap
		}
		pdf.SetFont(family, "B", size)
		lines := len(pdf.SplitText(s.heading, r.width))
		r.keep(gap, float64(lines)*lineHeight+3, need)
		setColor(pdf.SetTextColor, colHeading)
		pdf.MultiCell(r.width, lineHeight, s.heading, "", "L", false)
		if depth == 0 {
			pdf.Ln(1)
			r.rule(0.2)
			pdf.Ln(2.5)
		} else {
			pdf.Ln(1.5)
		}
	}
	for _, f := range s.fields {
		r.field(f)
	}
	for _, c := range s.sections {
		r.section(c, depth+1)
	}
}

func (r *renderer) field(f field) {
	pdf := r.pdf
	if f.label != "" {
		pdf.SetFont(family, "B", labelSize)
		lines := len(pdf.SplitText(f.label, r.width))
		r.keep(0, float64(lines)*labelLine+1, 2*bodyLine)
		setColor(pdf.SetTextColor, colMuted)
		pdf.MultiCell(r.width, labelLine, f.label, "", "L", false)
		pdf.Ln(1)
	}
	pdf.SetFont(family, "", bodySize)
	setColor(pdf.SetTextColor, colText)
	for i, para := range f.paras {
		if i > 0 {
			pdf.Ln(paragraphGap)
		}
		// Left-aligned, not justified: fpdf's justification of UTF-8 text spaces words
		// unevenly, and ragged right reads better in a narrow-ish column without hyphenation.
		pdf.MultiCell(r.width, bodyLine, para, "", "L", false)
	}
	pdf.Ln(fieldGap)
}
