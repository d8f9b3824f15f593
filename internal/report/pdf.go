package report

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/pdfdoc"
)

// pdfLabels are the headings of a report's PDF in each language of the web app. The PDF is a
// document the server makes, so its few words live here rather than in the web app's catalogues.
var pdfLabels = map[string]map[string]string{
	"pl": {"report": "Raport: %s", "edition": "Edycja", "status": "Status", "version": "Wersja", "intro": "Wstęp", "practices": "Praktyki",
		"category": "Kategoria", "description": "Opis", "since": "Od roku", "partners": "Partnerzy", "targets": "Grupy docelowe",
		"links": "Źródła i linki", "followUps": "Co stało się z wyróżnionymi praktykami", "outcome": "Wynik", "narrative": "Opis",
		"page": "Strona %d z %d", "practice": "Praktyka %d: %s"},
	"en": {"report": "Report: %s", "edition": "Edition", "status": "Status", "version": "Version", "intro": "Introduction", "practices": "Practices",
		"category": "Category", "description": "Description", "since": "Since", "partners": "Partners", "targets": "Target groups",
		"links": "Sources and links", "followUps": "What became of the distinguished practices", "outcome": "Outcome", "narrative": "Account",
		"page": "Page %d of %d", "practice": "Practice %d: %s"},
	"uk": {"report": "Звіт: %s", "edition": "Видання", "status": "Статус", "version": "Версія", "intro": "Вступ", "practices": "Практики",
		"category": "Категорія", "description": "Опис", "since": "З року", "partners": "Партнери", "targets": "Цільові групи",
		"links": "Джерела та посилання", "followUps": "Що сталося з відзначеними практиками", "outcome": "Результат", "narrative": "Опис",
		"page": "Сторінка %d з %d", "practice": "Практика %d: %s"},
	"es": {"report": "Informe: %s", "edition": "Edición", "status": "Estado", "version": "Versión", "intro": "Introducción", "practices": "Prácticas",
		"category": "Categoría", "description": "Descripción", "since": "Desde", "partners": "Socios", "targets": "Grupos destinatarios",
		"links": "Fuentes y enlaces", "followUps": "Qué fue de las prácticas distinguidas", "outcome": "Resultado", "narrative": "Relato",
		"page": "Página %d de %d", "practice": "Práctica %d: %s"},
	"vi": {"report": "Báo cáo: %s", "edition": "Kỳ giải", "status": "Trạng thái", "version": "Phiên bản", "intro": "Giới thiệu", "practices": "Các hoạt động",
		"category": "Hạng mục", "description": "Mô tả", "since": "Từ năm", "partners": "Đối tác", "targets": "Nhóm đối tượng",
		"links": "Nguồn và liên kết", "followUps": "Các hoạt động được vinh danh giờ ra sao", "outcome": "Kết quả", "narrative": "Trình bày",
		"page": "Trang %d / %d", "practice": "Hoạt động %d: %s"},
}

// PDF renders a report as its reader sees it (the current content, or version's when not 0) in
// lang's headings; the report's own text is as written.
func (s *Service) PDF(ctx context.Context, viewer *auth.Principal, editionID, cityID uuid.UUID, version int64, lang string) ([]byte, string, error) {
	var r Report
	var e edition.Edition
	var err error
	if version == 0 {
		r, e, err = s.getWithEdition(ctx, viewer, editionID, cityID)
	} else {
		r, e, err = s.versionWithEdition(ctx, viewer, editionID, cityID, version)
	}
	if err != nil {
		return nil, "", err
	}
	cats, err := edition.Categories(ctx, s.pool, editionID)
	if err != nil {
		return nil, "", err
	}
	crits, err := edition.Criteria(ctx, s.pool, editionID)
	if err != nil {
		return nil, "", err
	}
	l, ok := pdfLabels[lang]
	if !ok {
		lang, l = "pl", pdfLabels["pl"]
	}
	catName := map[uuid.UUID]string{}
	for _, c := range cats {
		catName[c.ID] = fmt.Sprintf("%d. %s", c.Number, inLang(c.Names, lang, c.NamePL))
	}
	critName := map[uuid.UUID]string{}
	for _, c := range crits {
		critName[c.ID] = inLang(c.Names, lang, c.NamePL)
	}
	when := s.now()
	if r.UpdateTime != nil {
		when = *r.UpdateTime
	}
	d := pdfdoc.Document{
		Title:    fmt.Sprintf(l["report"], r.City.Name),
		Subtitle: e.Name,
		Meta: []pdfdoc.Field{
			{Label: l["status"], Text: strings.ToLower(string(r.Status))},
			{Label: l["version"], Text: strconv.FormatInt(r.Version, 10) + " · " + edition.InWarsaw(when)},
		},
		Footer: "Miasta Otwarte · " + r.City.Name + " · " + l["version"] + " " + strconv.FormatInt(r.Version, 10), PageLabel: l["page"],
		Language: lang, Created: when,
	}
	d.Sections = append(d.Sections, pdfdoc.Section{Heading: l["intro"], Fields: []pdfdoc.Field{{Text: r.Introduction}}})
	practices := pdfdoc.Section{Heading: l["practices"]}
	for i, p := range r.Practices {
		sec := pdfdoc.Section{Heading: fmt.Sprintf(l["practice"], i+1, p.Title), Fields: []pdfdoc.Field{
			{Label: l["category"], Text: catName[p.CategoryID]},
			{Label: l["description"], Text: p.Description},
		}}
		if p.SinceYear != 0 {
			sec.Fields = append(sec.Fields, pdfdoc.Field{Label: l["since"], Text: strconv.Itoa(int(p.SinceYear))})
		}
		sec.Fields = append(sec.Fields, pdfdoc.Field{Label: l["partners"], Text: p.Partners}, pdfdoc.Field{Label: l["targets"], Text: p.TargetGroups},
			pdfdoc.Field{Label: l["links"], Text: strings.Join(p.EvidenceLinks, "\n")})
		for _, n := range p.Narratives {
			sec.Fields = append(sec.Fields, pdfdoc.Field{Label: critName[n.CriterionID], Text: n.Text})
		}
		practices.Sections = append(practices.Sections, sec)
	}
	d.Sections = append(d.Sections, practices)
	if len(r.FollowUps) > 0 {
		fs := pdfdoc.Section{Heading: l["followUps"]}
		for _, f := range r.FollowUps {
			fs.Sections = append(fs.Sections, pdfdoc.Section{Heading: f.PreviousTitle, Fields: []pdfdoc.Field{
				{Label: l["outcome"], Text: strings.ToLower(string(f.Outcome))}, {Label: l["narrative"], Text: f.Narrative},
			}})
		}
		d.Sections = append(d.Sections, fs)
	}
	var buf bytes.Buffer
	if err := pdfdoc.Render(&buf, d); err != nil {
		return nil, "", err
	}
	name := fmt.Sprintf("raport-%s-v%d.pdf", slug(r.City.Name), r.Version)
	return buf.Bytes(), name, nil
}

// slug is a file-name-safe form of a city's name (ASCII letters and digits, dashes).
func slug(s string) string {
	repl := strings.NewReplacer("ą", "a", "ć", "c", "ę", "e", "ł", "l", "ń", "n", "ó", "o", "ś", "s", "ź", "z", "ż", "z",
		"Ą", "a", "Ć", "c", "Ę", "e", "Ł", "l", "Ń", "n", "Ó", "o", "Ś", "s", "Ź", "z", "Ż", "z")
	var b strings.Builder
	for _, r := range strings.ToLower(repl.Replace(s)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// inLang is a text in lang, or in Polish when it has no translation.
func inLang(t edition.Texts, lang, pl string) string {
	if s := t[lang]; s != "" {
		return s
	}
	return pl
}
