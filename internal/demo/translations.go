package demo

import (
	"fmt"
	"strings"
)

// TranslatorEmail is the demo translator, who translates the demo reports into every jurors' language.
const TranslatorEmail = "tlumaczka@miasta.test"

// TranslatorLanguages are the demo translator's languages: every language translations are made into.
var TranslatorLanguages = []string{"en", "uk", "es", "vi"}

// categoryNames are the eleven categories (Categories, in order) in the languages the demo
// translates into; English is Categories' own.
var categoryNames = map[string][]string{
	"uk": {
		"Міська стратегія щодо культурного розмаїття та інтеграції іммігрантів",
		"Працевлаштування іноземців у міських установах",
		"Популяризація польських університетів серед іноземців; інтеграція іноземних студентів",
		"Комплексна соціальна допомога, доступна для іноземців",
		"Міський пункт обслуговування іноземців",
		"Комплексні заходи з інтеграції учнів-іммігрантів",
		"Платформи міжсекторальної співпраці",
		"Конкурси для НУО з урахуванням іммігрантських діаспор і багатокультурного характеру міста",
		"Простір, дружній до іммігрантів",
		"Комплексна інформаційно-інтеграційна діяльність міської влади",
		"Співпраця міста з науково-дослідним центром у сфері інтеграції іммігрантів",
	},
	"es": {
		"Estrategia municipal de diversidad cultural e integración de los inmigrantes",
		"Contratación de personas extranjeras en las oficinas municipales",
		"Promoción de las universidades polacas entre extranjeros; integración de estudiantes internacionales",
		"Asistencia social integral abierta a las personas extranjeras",
		"Punto municipal de atención a personas extranjeras",
		"Acciones integrales para la integración del alumnado inmigrante",
		"Plataformas de cooperación intersectorial",
		"Convocatorias para ONG que incluyen a las diásporas inmigrantes y el carácter multicultural de la ciudad",
		"Espacio acogedor para los inmigrantes",
		"Acciones integrales de información e integración del gobierno municipal",
		"Cooperación de la ciudad con un centro científico y de investigación en materia de integración de inmigrantes",
	},
	"vi": {
		"Chiến lược của thành phố về đa dạng văn hóa và hội nhập người nhập cư",
		"Tuyển dụng người nước ngoài vào các cơ quan thành phố",
		"Quảng bá các trường đại học Ba Lan với người nước ngoài; hội nhập sinh viên quốc tế",
		"Trợ giúp xã hội toàn diện dành cho người nước ngoài",
		"Điểm phục vụ người nước ngoài của thành phố",
		"Các hoạt động toàn diện nhằm hội nhập học sinh nhập cư",
		"Các nền tảng hợp tác liên ngành",
		"Các cuộc thi tài trợ cho tổ chức phi chính phủ có tính đến cộng đồng kiều bào nhập cư và tính đa văn hóa của thành phố",
		"Không gian thân thiện với người nhập cư",
		"Hoạt động thông tin và hội nhập toàn diện của chính quyền thành phố",
		"Hợp tác của thành phố với một trung tâm khoa học và nghiên cứu về hội nhập người nhập cư",
	},
}

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
	cat := Categories[category][1]
	if names, ok := categoryNames[language]; ok {
		cat = names[category]
	}
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
