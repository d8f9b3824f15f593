package demo

import (
	"fmt"
	"strings"
)

// TranslatorEmail is the demo translator, who translates the demo reports into every jurors' language.
const TranslatorEmail = "tlumaczka@miasta.test"

// TranslatorLanguages are the demo translator's languages: every language translations are made into.
var TranslatorLanguages = []string{"en", "uk", "es", "vi"}

// cityNames are the expert cities' names where a language has its own.
var cityNames = map[string]map[string]string{
	"en": {"Warszawa": "Warsaw", "Kraków": "Kraków", "Lublin": "Lublin", "Poznań": "Poznań", "Łódź": "Łódź", "Gdańsk": "Gdańsk"},
	"uk": {"Warszawa": "Варшава", "Kraków": "Краків", "Lublin": "Люблін", "Poznań": "Познань", "Łódź": "Лодзь", "Gdańsk": "Гданськ"},
	"es": {"Warszawa": "Varsovia", "Kraków": "Cracovia", "Lublin": "Lublin", "Poznań": "Poznań", "Łódź": "Łódź", "Gdańsk": "Gdańsk"},
	"vi": {"Warszawa": "Vác-sa-va", "Kraków": "Kraków", "Lublin": "Lublin", "Poznań": "Poznań", "Łódź": "Łódź", "Gdańsk": "Gdańsk"},
}

// The demo reports' description and narrative (demo.Walk writes them in Polish), per language.
var (
	descriptions = map[string]string{
		"en": "A practice of the city of %s for foreigners.",
		"uk": "Практика міста %s для іноземців.",
		"es": "Una práctica de la ciudad de %s en favor de las personas extranjeras.",
		"vi": "Một hoạt động của thành phố %s dành cho người nước ngoài.",
	}
	narratives = map[string]string{
		"en": "The activities cover many areas.",
		"uk": "Діяльність охоплює багато сфер.",
		"es": "Las acciones abarcan muchos ámbitos.",
		"vi": "Các hoạt động bao gồm nhiều lĩnh vực.",
	}
)

// demoTexts translates a demo practice's texts (as Walk writes them: "City: category", "Praktyka
// miasta City na rzecz cudzoziemców.", "Działania obejmują wiele obszarów.") into language: by
// field, for the fields the original has. category is the category's index in Categories.
func demoTexts(language, city string, category int, fields []string) map[string]string {
	name := cityNames[language][city]
	if name == "" {
		name = city
	}
	cat := Categories[category].Map()[language]
	out := map[string]string{}
	for _, f := range fields {
		switch {
		case f == "title":
			out[f] = name + ": " + cat
		case f == "description":
			out[f] = fmt.Sprintf(descriptions[language], name)
		case strings.HasPrefix(f, "narrative."):
			out[f] = narratives[language]
		}
	}
	return out
}
