package share

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Badge is the image a distinguished city puts on its website: the award's name and edition, the
// word "distinguished", the category and the city, linked to the practice's page.
type Badge struct {
	Award, Edition, Distinguished, Category, City string
	Alt                                           string // the text alternative: the whole badge in a sentence
	Link                                          string // the practice's page
}

// badgeWidth and badgeHeight are the badge's size in CSS pixels (the PNG has twice as many).
const badgeWidth, badgeHeight = 360, 120

// badgeLine is the longest category line, in characters, before it is cut with an ellipsis.
const badgeLine = 38

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
	w.WriteString(`<rect x="0.5" y="0.5" width="359" height="119" rx="10" fill="#ffffff" stroke="` + badgeBlue + `"/>`)
	w.WriteString(`<path d="M10 0.5h90v119h-90a9.5 9.5 0 0 1-9.5-9.5v-100a9.5 9.5 0 0 1 9.5-9.5z" fill="` + badgeBlue + `"/>`)
	// A five-pointed star in a ring: the distinction.
	w.WriteString(`<circle cx="50.5" cy="60" r="30" fill="none" stroke="` + badgeGold + `" stroke-width="3"/>`)
	w.WriteString(`<path d="M50.5 38l6.2 13.4 14.6 1.6-10.9 9.9 3 14.4-12.9-7.3-12.9 7.3 3-14.4-10.9-9.9 14.6-1.6z" fill="` + badgeGold + `"/>`)
	font := `font-family="system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif"`
	fmt.Fprintf(&w, `<text x="114" y="30" %s font-size="13" font-weight="700" fill="%s">%s</text>`, font, badgeBlue, esc(cut(b.Edition, badgeLine)))
	fmt.Fprintf(&w, `<text x="114" y="56" %s font-size="20" font-weight="700" letter-spacing="0.5" fill="%s">%s</text>`, font, badgeGold, esc(strings.ToUpper(cut(b.Distinguished, 24))))
	fmt.Fprintf(&w, `<text x="114" y="80" %s font-size="12" fill="%s">%s</text>`, font, badgeInk, esc(cut(b.Category, badgeLine)))
	fmt.Fprintf(&w, `<text x="114" y="102" %s font-size="13" font-weight="700" fill="%s">%s</text>`, font, badgeGrey, esc(cut(b.City, badgeLine)))
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
	ring(img, 50*k, 60*k, 30*k, 3*k, hex(badgeGold))
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, err
	}
	lines := []struct {
		f    *opentype.Font
		size float64
		y    int
		col  string
		text string
	}{
		{bold, 13, 30, badgeBlue, cut(b.Edition, badgeLine)},
		{bold, 20, 56, badgeGold, strings.ToUpper(cut(b.Distinguished, 24))},
		{regular, 12, 80, badgeInk, cut(b.Category, badgeLine)},
		{bold, 13, 102, badgeGrey, cut(b.City, badgeLine)},
	}
	for _, l := range lines {
		face, err := opentype.NewFace(l.f, &opentype.FaceOptions{Size: l.size * k, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			return nil, err
		}
		d := font.Drawer{Dst: img, Src: image.NewUniform(hex(l.col)), Face: face, Dot: fixed.P(114*k, l.y*k)}
		d.DrawString(l.text)
		_ = face.Close()
	}
	// The star, as a filled disc of gold inside the ring: a raster star is not worth its code.
	disc(img, 50*k, 60*k, 14*k, hex(badgeGold))
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

func disc(img *image.RGBA, cx, cy, r int, c color.Color) {
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r {
				img.Set(x, y, c)
			}
		}
	}
}

func hex(s string) color.RGBA {
	var r, g, b uint8
	_, _ = fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b)
	return color.RGBA{R: r, G: g, B: b, A: 255}
}

// cut is s in at most n characters, with an ellipsis where it was cut.
func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}
