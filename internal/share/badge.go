package share

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/miasta-otwarte/miasta/internal/pdfdoc"
)

// Badge is the image a distinguished city puts on its website: the award's name and edition, the
// word "distinguished", the category and the city, linked to the practice's page.
type Badge struct {
	Award, Edition, Distinguished, Category, City string
	Alt                                           string // the text alternative: the whole badge in a sentence
	Link                                          string // the practice's page
}

// badgeWidth and badgeHeight are the badge's size in CSS pixels (the PNG has twice as many).
const badgeWidth, badgeHeight = 360, 132

func (s *Service) badge(e Edition, n Ranked, lang string) Badge {
	return Badge{
		Award: text(lang, "site"), Edition: editionName(e.Edition, lang), Distinguished: text(lang, "distinguished"),
		Category: categoryName(n.Category, lang), City: n.Practice.City.Name, Alt: s.badgeAlt(e, n, lang),
		Link: s.base + "/practices/" + n.Practice.ID.String() + langQuery(lang),
	}
}

// Colours: the deep blue of the certificates' headings, a warm gold for the distinction.
const (
	badgeBlue = "#16365c"
	badgeGold = "#c8962e"
	badgeInk  = "#1a1a1a"
	badgeGrey = "#5f5f5f"
)

// SVG is the badge as an SVG image (an accessible one: role img, a title and a label).
func (b Badge) SVG() []byte {
	esc := html.EscapeString
	var w bytes.Buffer
	fmt.Fprintf(&w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		badgeWidth, badgeHeight, badgeWidth, badgeHeight, esc(b.Alt))
	fmt.Fprintf(&w, `<title>%s</title>`, esc(b.Alt))
	w.WriteString(`<rect x="0.5" y="0.5" width="359" height="131" rx="10" fill="#ffffff" stroke="` + badgeBlue + `"/>`)
	w.WriteString(`<path d="M10 0.5h90v131h-90a9.5 9.5 0 0 1-9.5-9.5v-112a9.5 9.5 0 0 1 9.5-9.5z" fill="` + badgeBlue + `"/>`)
	// A five-pointed star in a ring: the distinction.
	fmt.Fprintf(&w, `<circle cx="%g" cy="%g" r="30" fill="none" stroke="%s" stroke-width="3"/>`, starX, starY, badgeGold)
	var pts []string
	for _, p := range starPoints() {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", p[0], p[1]))
	}
	fmt.Fprintf(&w, `<polygon points="%s" fill="%s"/>`, strings.Join(pts, " "), badgeGold)
	family := `font-family="system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif"`
	for _, l := range b.lines() {
		weight := ""
		if l.bold {
			weight = ` font-weight="700"`
		}
		spacing := ""
		if l.spacing > 0 {
			spacing = fmt.Sprintf(` letter-spacing="%g"`, l.spacing)
		}
		fmt.Fprintf(&w, `<text x="%d" y="%d" %s font-size="%g"%s%s fill="%s">%s</text>`, textX, l.y, family, l.size, weight, spacing, l.colour, esc(l.text))
	}
	w.WriteString(`</svg>`)
	return w.Bytes()
}

// Embed is the HTML a city pastes into its site: the badge, linked to the practice's page.
func (b Badge) Embed(svgURL string) string {
	esc := html.EscapeString
	return fmt.Sprintf(`<a href="%s"><img src="%s" alt="%s" width="%d" height="%d"></a>`, esc(b.Link), esc(svgURL), esc(b.Alt), badgeWidth, badgeHeight)
}

// PNG is the badge as a PNG at twice its CSS size (for link previews, which take no SVG), drawn with
// the Go fonts the PDFs embed.
func (b Badge) PNG() ([]byte, error) {
	const k = 2
	img := image.NewRGBA(image.Rect(0, 0, badgeWidth*k, badgeHeight*k))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, 0, 100*k, badgeHeight*k), image.NewUniform(hex(badgeBlue)), image.Point{}, draw.Src)
	ring(img, int(starX*k), int(starY*k), 30*k, 3*k, hex(badgeGold))
	for _, l := range b.lines() {
		f := regularFace
		if l.bold {
			f = boldFace
		}
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: l.size * k, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			return nil, err
		}
		d := font.Drawer{Dst: img, Src: image.NewUniform(hex(l.colour)), Face: face, Dot: fixed.P(textX*k, l.y*k)}
		for _, r := range l.text {
			d.DrawString(string(r))
			d.Dot.X += fixed.Int26_6(l.spacing * k * 64)
		}
		_ = face.Close()
	}
	star(img, k, hex(badgeGold))
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func ring(img *image.RGBA, cx, cy, r, width int, c color.Color) {
	for y := cy - r - width; y <= cy+r+width; y++ {
		for x := cx - r - width; x <= cx+r+width; x++ {
			d := (x-cx)*(x-cx) + (y-cy)*(y-cy)
			if d >= (r-width/2)*(r-width/2) && d <= (r+width/2)*(r+width/2) {
				img.Set(x, y, c)
			}
		}
	}
}

// star fills the badge's star, scaled k times, testing each pixel's centre against the polygon.
func star(img *image.RGBA, k int, c color.Color) {
	pts := starPoints()
	for y := int(starY-24) * k; y <= int(starY+24)*k; y++ {
		for x := 26 * k; x <= 75*k; x++ {
			px, py := (float64(x)+0.5)/float64(k), (float64(y)+0.5)/float64(k)
			in := false
			for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
				a, b := pts[i], pts[j]
				if (a[1] > py) != (b[1] > py) && px < (b[0]-a[0])*(py-a[1])/(b[1]-a[1])+a[0] {
					in = !in
				}
			}
			if in {
				img.Set(x, y, c)
			}
		}
	}
}

// The star's centre, in CSS pixels, and the text's left edge.
const (
	starX, starY = 50.5, 66.0
	textX        = 114
)

// starPoints are the corners of a five-pointed star around the centre, point up.
func starPoints() [][2]float64 {
	var pts [][2]float64
	for i := range 10 {
		r := 20.0
		if i%2 == 1 {
			r = 8.5
		}
		a := math.Pi * (float64(i)/5 - 0.5)
		pts = append(pts, [2]float64{starX + r*math.Cos(a), starY + r*math.Sin(a)})
	}
	return pts
}

// badgeText is one line of the badge.
type badgeText struct {
	text          string
	y             int
	size, spacing float64
	bold          bool
	colour        string
}

// lines are the badge's lines, top to bottom: the award, the edition, the distinction, the
// category and the city, each cut with an ellipsis to the width beside the star (measured in the
// Go fonts, which the PNG draws with and whose widths are close to the sans-serif fonts an SVG
// is shown in).
func (b Badge) lines() []badgeText {
	lines := []badgeText{
		{text: strings.ToUpper(b.Award), y: 27, size: 10, spacing: 1.2, bold: true, colour: badgeGrey},
		{text: b.Edition, y: 46, size: 13, bold: true, colour: badgeBlue},
		{text: strings.ToUpper(b.Distinguished), y: 72, size: 20, spacing: 0.5, bold: true, colour: badgeGold},
		{text: b.Category, y: 94, size: 11.5, colour: badgeInk},
		{text: b.City, y: 114, size: 13, bold: true, colour: badgeBlue},
	}
	for i := range lines {
		lines[i].text = fitWidth(lines[i], badgeWidth-textX-12)
	}
	return lines
}

// The Go fonts, parsed once.
var regularFace, boldFace = mustParse(pdfdoc.RegularTTF), mustParse(pdfdoc.BoldTTF)

func mustParse(ttf []byte) *opentype.Font {
	f, err := opentype.Parse(ttf)
	if err != nil {
		panic(err) // the fonts are compiled in
	}
	return f
}

// fitWidth is the line's text, cut with an ellipsis where it is wider than width pixels.
func fitWidth(l badgeText, width float64) string {
	f := regularFace
	if l.bold {
		f = boldFace
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: l.size, DPI: 72})
	if err != nil {
		return l.text
	}
	defer face.Close()
	measure := func(s string) float64 {
		n := utf8.RuneCountInString(s)
		return float64(font.MeasureString(face, s))/64 + l.spacing*float64(n)
	}
	s := strings.Join(strings.Fields(l.text), " ")
	if measure(s) <= width {
		return s
	}
	runes := []rune(s)
	for len(runes) > 1 && measure(string(runes)+"…") > width {
		runes = runes[:len(runes)-1]
	}
	return strings.TrimSpace(string(runes)) + "…"
}

func hex(s string) color.RGBA {
	var r, g, b uint8
	_, _ = fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b)
	return color.RGBA{R: r, G: g, B: b, A: 255}
}
