package share

import (
	"net/http"
	"strings"

	"github.com/miasta-otwarte/miasta/internal/edition"
)

// Languages are the languages of the previews, the feed, the certificates and the badges, the
// award's own first (the default).
var Languages = []string{"pl", "en", "uk", "es", "vi"}

// ogLocales are the OpenGraph locales (language_TERRITORY) of the languages.
var ogLocales = map[string]string{"pl": "pl_PL", "en": "en_GB", "uk": "uk_UA", "es": "es_ES", "vi": "vi_VN"}

// texts are the words this package writes, per language; {name} stands for an argument.
// TestEveryTextInEveryLanguage checks that each language has every key and the same arguments.
var texts = map[string]map[string]string{
	"pl": {
		"notFoundTitle":    "Nie znaleziono — Miasta Otwarte",
		"site":             "Miasta Otwarte",
		"award":            "Konkurs Miasta Otwarte",
		"awardDescription": "Konkurs „Miasta Otwarte” wyróżnia działania samorządów miast na rzecz integracji imigrantów. Eksperci z miast opisują praktyki, a jury złożone z migrantów wybiera najlepsze.",
		"resultsTitle":     "Wyniki konkursu Miasta Otwarte",
		"resultsDesc":      "Wszystkie edycje konkursu Miasta Otwarte: wyróżnione praktyki miast, rankingi w kategoriach i otwarte dane.",
		"editionTitle":     "Wyniki: {edition}",
		"editionDesc":      "{edition} — wyróżnienia: {distinctions}, kategorie: {categories}, praktyki: {practices}, miasta: {cities}. Rankingi, punktacja i dane do weryfikacji.",
		"categoryTitle":    "{category} — {edition}",
		"categoryDesc":     "Kategoria {number}, {edition} — nominowane praktyki: {nominations}. Wyróżnienie: {winners}.",
		"noWinner":         "brak",
		"practiceTitle":    "{practice} — {city}",
		"practiceDesc":     "Praktyka miasta {city} w kategorii „{category}”, {edition}.",
		"distinguished":    "Wyróżnienie",
		"cityTitle":        "{city} w konkursie Miasta Otwarte",
		"cityDesc":         "Praktyki miasta {city} w konkursie Miasta Otwarte — praktyki: {practices}, wyróżnienia: {distinctions}.",
		"searchTitle":      "Szukaj praktyk — Miasta Otwarte",
		"searchQueryTitle": "„{query}” — szukaj praktyk — Miasta Otwarte",
		"searchDesc":       "Przeszukaj praktyki miast na rzecz integracji imigrantów ze wszystkich edycji konkursu Miasta Otwarte.",
		"feedTitle":        "Miasta Otwarte — ogłoszenia wyników",
		"feedSubtitle":     "Ogłoszenia wyników kolejnych edycji konkursu Miasta Otwarte.",
		"feedEntryTitle":   "Ogłoszono wyniki: {edition}",
		"feedEntrySummary": "Jury konkursu {edition} ogłosiło wyniki. Wyróżnienia ({distinctions}): {winners}.",
		"certAwarded":      "Jury konkursu {edition} wyróżnia praktykę miasta",
		"certCategory":     "Kategoria",
		"certEdition":      "Edycja",
		"certDate":         "Data ogłoszenia",
		"certVerify":       "Sprawdź wyróżnienie",
		"certVerifyText":   "Wyniki i dane do ich niezależnej weryfikacji: {results}",
		"certFooter":       "Miasta Otwarte · {edition} · {id}",
		"badgeAlt":         "{edition}: wyróżnienie dla miasta {city} w kategorii {category}",
		"certPracticePage": "Strona praktyki",
		"quote":            "„{text}”",
	},
	"en": {
		"notFoundTitle":    "Not found — Open Cities",
		"site":             "Open Cities",
		"award":            "The Open Cities award",
		"awardDescription": "The Open Cities (Miasta Otwarte) award recognises what Polish city governments do to integrate immigrants. City experts describe practices; a jury of migrants chooses the best.",
		"resultsTitle":     "Open Cities award results",
		"resultsDesc":      "Every edition of the Open Cities award: cities' distinguished practices, rankings per category and open data.",
		"editionTitle":     "Results: {edition}",
		"editionDesc":      "{edition} — distinctions: {distinctions}, categories: {categories}, practices: {practices}, cities: {cities}. Rankings, scores and the data to verify them.",
		"categoryTitle":    "{category} — {edition}",
		"categoryDesc":     "Category {number}, {edition} — nominated practices: {nominations}. Distinguished: {winners}.",
		"noWinner":         "none",
		"practiceTitle":    "{practice} — {city}",
		"practiceDesc":     "A practice of {city} in the category “{category}”, {edition}.",
		"distinguished":    "Distinguished",
		"cityTitle":        "{city} in the Open Cities award",
		"cityDesc":         "{city}'s practices in the Open Cities award — practices: {practices}, distinctions: {distinctions}.",
		"searchTitle":      "Search practices — Open Cities",
		"searchQueryTitle": "“{query}” — search practices — Open Cities",
		"searchDesc":       "Search city practices for the integration of immigrants from every edition of the Open Cities award.",
		"feedTitle":        "Open Cities — results announcements",
		"feedSubtitle":     "The announcements of the results of each edition of the Open Cities award.",
		"feedEntryTitle":   "Results announced: {edition}",
		"feedEntrySummary": "The jury of {edition} has announced its results. Distinctions ({distinctions}): {winners}.",
		"certAwarded":      "The jury of {edition} distinguishes the practice of",
		"certCategory":     "Category",
		"certEdition":      "Edition",
		"certDate":         "Announced",
		"certVerify":       "Verify this distinction",
		"certVerifyText":   "The results and the data to verify them independently: {results}",
		"certFooter":       "Open Cities · {edition} · {id}",
		"badgeAlt":         "{edition}: {city} distinguished in the category {category}",
		"certPracticePage": "The practice's page",
		"quote":            "“{text}”",
	},
	"uk": {
		"notFoundTitle":    "Не знайдено — Відкриті міста",
		"site":             "Відкриті міста",
		"award":            "Конкурс «Відкриті міста»",
		"awardDescription": "Конкурс «Відкриті міста» (Miasta Otwarte) відзначає дії міських органів влади Польщі з інтеграції іммігрантів. Експерти з міст описують практики, а журі з мігрантів обирає найкращі.",
		"resultsTitle":     "Результати конкурсу «Відкриті міста»",
		"resultsDesc":      "Усі випуски конкурсу «Відкриті міста»: відзначені практики міст, рейтинги за категоріями та відкриті дані.",
		"editionTitle":     "Результати: {edition}",
		"editionDesc":      "{edition} — відзнаки: {distinctions}, категорії: {categories}, практики: {practices}, міста: {cities}. Рейтинги, бали та дані для перевірки.",
		"categoryTitle":    "{category} — {edition}",
		"categoryDesc":     "Категорія {number}, {edition} — номіновані практики: {nominations}. Відзнака: {winners}.",
		"noWinner":         "немає",
		"practiceTitle":    "{practice} — {city}",
		"practiceDesc":     "Практика міста {city} у категорії «{category}», {edition}.",
		"distinguished":    "Відзнака",
		"cityTitle":        "{city} у конкурсі «Відкриті міста»",
		"cityDesc":         "Практики міста {city} у конкурсі «Відкриті міста» — практики: {practices}, відзнаки: {distinctions}.",
		"searchTitle":      "Пошук практик — Відкриті міста",
		"searchQueryTitle": "«{query}» — пошук практик — Відкриті міста",
		"searchDesc":       "Шукайте практики міст з інтеграції іммігрантів з усіх випусків конкурсу «Відкриті міста».",
		"feedTitle":        "Відкриті міста — оголошення результатів",
		"feedSubtitle":     "Оголошення результатів кожного випуску конкурсу «Відкриті міста».",
		"feedEntryTitle":   "Оголошено результати: {edition}",
		"feedEntrySummary": "Журі конкурсу {edition} оголосило результати. Відзнаки ({distinctions}): {winners}.",
		"certAwarded":      "Журі конкурсу {edition} відзначає практику міста",
		"certCategory":     "Категорія",
		"certEdition":      "Випуск",
		"certDate":         "Дата оголошення",
		"certVerify":       "Перевірте відзнаку",
		"certVerifyText":   "Результати та дані для їх незалежної перевірки: {results}",
		"certFooter":       "Відкриті міста · {edition} · {id}",
		"badgeAlt":         "{edition}: відзнака для міста {city} у категорії {category}",
		"certPracticePage": "Сторінка практики",
		"quote":            "«{text}»",
	},
	"es": {
		"notFoundTitle":    "No encontrado — Ciudades Abiertas",
		"site":             "Ciudades Abiertas",
		"award":            "El premio Ciudades Abiertas",
		"awardDescription": "El premio Ciudades Abiertas (Miasta Otwarte) reconoce lo que hacen los gobiernos municipales de Polonia para integrar a los inmigrantes. Expertos de las ciudades describen las prácticas y un jurado de migrantes elige las mejores.",
		"resultsTitle":     "Resultados del premio Ciudades Abiertas",
		"resultsDesc":      "Todas las ediciones del premio Ciudades Abiertas: prácticas distinguidas de las ciudades, clasificaciones por categoría y datos abiertos.",
		"editionTitle":     "Resultados: {edition}",
		"editionDesc":      "{edition} — distinciones: {distinctions}, categorías: {categories}, prácticas: {practices}, ciudades: {cities}. Clasificaciones, puntuaciones y los datos para verificarlas.",
		"categoryTitle":    "{category} — {edition}",
		"categoryDesc":     "Categoría {number}, {edition} — prácticas nominadas: {nominations}. Distinción: {winners}.",
		"noWinner":         "ninguna",
		"practiceTitle":    "{practice} — {city}",
		"practiceDesc":     "Una práctica de {city} en la categoría «{category}», {edition}.",
		"distinguished":    "Distinción",
		"cityTitle":        "{city} en el premio Ciudades Abiertas",
		"cityDesc":         "Prácticas de {city} en el premio Ciudades Abiertas — prácticas: {practices}, distinciones: {distinctions}.",
		"searchTitle":      "Buscar prácticas — Ciudades Abiertas",
		"searchQueryTitle": "«{query}» — buscar prácticas — Ciudades Abiertas",
		"searchDesc":       "Busque prácticas municipales para la integración de inmigrantes de todas las ediciones del premio Ciudades Abiertas.",
		"feedTitle":        "Ciudades Abiertas — anuncios de resultados",
		"feedSubtitle":     "Los anuncios de los resultados de cada edición del premio Ciudades Abiertas.",
		"feedEntryTitle":   "Resultados anunciados: {edition}",
		"feedEntrySummary": "El jurado de {edition} ha anunciado sus resultados. Distinciones ({distinctions}): {winners}.",
		"certAwarded":      "El jurado de {edition} distingue la práctica de",
		"certCategory":     "Categoría",
		"certEdition":      "Edición",
		"certDate":         "Fecha del anuncio",
		"certVerify":       "Verifique esta distinción",
		"certVerifyText":   "Los resultados y los datos para verificarlos de forma independiente: {results}",
		"certFooter":       "Ciudades Abiertas · {edition} · {id}",
		"badgeAlt":         "{edition}: distinción para {city} en la categoría {category}",
		"certPracticePage": "La página de la práctica",
		"quote":            "«{text}»",
	},
	"vi": {
		"notFoundTitle":    "Không tìm thấy — Thành phố Mở",
		"site":             "Thành phố Mở",
		"award":            "Giải thưởng Thành phố Mở",
		"awardDescription": "Giải thưởng Thành phố Mở (Miasta Otwarte) ghi nhận những gì chính quyền các thành phố Ba Lan làm để hội nhập người nhập cư. Các chuyên gia của thành phố mô tả các hoạt động; ban giám khảo gồm người di cư chọn ra những hoạt động tốt nhất.",
		"resultsTitle":     "Kết quả giải thưởng Thành phố Mở",
		"resultsDesc":      "Tất cả các kỳ giải thưởng Thành phố Mở: các hoạt động được vinh danh của các thành phố, xếp hạng theo hạng mục và dữ liệu mở.",
		"editionTitle":     "Kết quả: {edition}",
		"editionDesc":      "{edition} — giải: {distinctions}, hạng mục: {categories}, hoạt động: {practices}, thành phố: {cities}. Xếp hạng, điểm số và dữ liệu để kiểm chứng.",
		"categoryTitle":    "{category} — {edition}",
		"categoryDesc":     "Hạng mục {number}, {edition} — hoạt động được đề cử: {nominations}. Được vinh danh: {winners}.",
		"noWinner":         "không có",
		"practiceTitle":    "{practice} — {city}",
		"practiceDesc":     "Một hoạt động của {city} trong hạng mục “{category}”, {edition}.",
		"distinguished":    "Được vinh danh",
		"cityTitle":        "{city} trong giải thưởng Thành phố Mở",
		"cityDesc":         "Các hoạt động của {city} trong giải thưởng Thành phố Mở — hoạt động: {practices}, giải: {distinctions}.",
		"searchTitle":      "Tìm hoạt động — Thành phố Mở",
		"searchQueryTitle": "“{query}” — tìm hoạt động — Thành phố Mở",
		"searchDesc":       "Tìm các hoạt động của thành phố về hội nhập người nhập cư trong tất cả các kỳ giải thưởng Thành phố Mở.",
		"feedTitle":        "Thành phố Mở — công bố kết quả",
		"feedSubtitle":     "Các thông báo kết quả của từng kỳ giải thưởng Thành phố Mở.",
		"feedEntryTitle":   "Đã công bố kết quả: {edition}",
		"feedEntrySummary": "Ban giám khảo {edition} đã công bố kết quả. Các giải ({distinctions}): {winners}.",
		"certAwarded":      "Ban giám khảo {edition} vinh danh hoạt động của",
		"certCategory":     "Hạng mục",
		"certEdition":      "Kỳ giải",
		"certDate":         "Ngày công bố",
		"certVerify":       "Kiểm chứng giải thưởng",
		"certVerifyText":   "Kết quả và dữ liệu để kiểm chứng độc lập: {results}",
		"certFooter":       "Thành phố Mở · {edition} · {id}",
		"badgeAlt":         "{edition}: {city} được vinh danh trong hạng mục {category}",
		"certPracticePage": "Trang của hoạt động",
		"quote":            "“{text}”",
	},
}

// text is the key's text in lang with its {name} arguments (name, value pairs) filled in.
func text(lang, key string, args ...string) string {
	s, ok := texts[lang][key]
	if !ok {
		s = texts["pl"][key]
	}
	if len(args) == 0 {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Language picks the language of a request: ?lang= when it names one of Languages, else the first
// of Accept-Language's that is, else Polish.
func Language(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); isLanguage(l) {
		return l
	}
	// As web/web.go reads it: the first language the header names (by order, q=0 excluded) that is
	// one of ours, by its primary subtag.
	for part := range strings.SplitSeq(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok && strings.Trim(q, "0.") == "" {
			continue
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if isLanguage(base) {
			return base
		}
	}
	return "pl"
}

func isLanguage(l string) bool {
	for _, x := range Languages {
		if x == l {
			return true
		}
	}
	return false
}

// categoryName is a category's name in lang, else in English for en, else in Polish.
func categoryName(c edition.Category, lang string) string {
	if n := c.Names[lang]; n != "" {
		return n
	}
	if lang != "pl" && c.NameEN != "" {
		return c.NameEN
	}
	return c.NamePL
}

// editionName is an edition's name in lang, else its Polish name.
func editionName(e edition.Edition, lang string) string { return inLanguage(e.Names, lang, e.Name) }

// inLanguage is a text in lang when it has one, else original (its Polish text).
func inLanguage(texts map[string]string, lang, original string) string {
	if t := texts[lang]; t != "" {
		return t
	}
	return original
}
