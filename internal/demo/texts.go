package demo

// T is one demo text in the platform's five languages.
type T struct{ PL, EN, UK, ES, VI string }

// Map is the text keyed by language tag.
func (t T) Map() map[string]string {
	return map[string]string{"pl": t.PL, "en": t.EN, "uk": t.UK, "es": t.ES, "vi": t.VI}
}

// EditionName is the demo edition's name, which says it is a demonstration wherever it appears (mails,
// PDFs, feeds), besides the edition's mark.
var EditionName = T{
	"Miasta Otwarte 2016 – edycja demonstracyjna", "Open Cities 2016 – demonstration edition",
	"Відкриті міста 2016 – демонстраційний випуск", "Ciudades Abiertas 2016 – edición de demostración",
	"Thành phố Rộng mở 2016 – phiên bản minh họa",
}

// Categories are the eleven categories the 2015 jury distinguished.
var Categories = []T{
	{"Miejska strategia dotycząca różnorodności kulturowej oraz integracji imigrantów",
		"City strategy on cultural diversity and integration of immigrants",
		"Міська стратегія щодо культурного розмаїття та інтеграції іммігрантів",
		"Estrategia municipal de diversidad cultural e integración de inmigrantes",
		"Chiến lược của thành phố về đa dạng văn hóa và hội nhập người nhập cư"},
	{"Zatrudnianie cudzoziemców w urzędach miejskich",
		"Employing foreigners in city offices",
		"Працевлаштування іноземців у міських установах",
		"Contratación de extranjeros en las oficinas municipales",
		"Tuyển dụng người nước ngoài vào các cơ quan của thành phố"},
	{"Promocja polskich uczelni wśród cudzoziemców; integracja studentów zagranicznych",
		"Promoting Polish universities abroad; integrating foreign students",
		"Популяризація польських вишів серед іноземців; інтеграція іноземних студентів",
		"Promoción de las universidades polacas entre extranjeros; integración de estudiantes internacionales",
		"Quảng bá các trường đại học Ba Lan tới người nước ngoài; hội nhập sinh viên quốc tế"},
	{"Kompleksowa pomoc społeczna dostępna dla cudzoziemców",
		"Comprehensive social assistance open to foreigners",
		"Комплексна соціальна допомога, доступна для іноземців",
		"Asistencia social integral accesible para extranjeros",
		"Trợ giúp xã hội toàn diện dành cho người nước ngoài"},
	{"Miejski punkt obsługi cudzoziemców",
		"City service point for foreigners",
		"Міський пункт обслуговування іноземців",
		"Punto municipal de atención a extranjeros",
		"Điểm phục vụ người nước ngoài của thành phố"},
	{"Kompleksowe działania na rzecz integracji uczniów imigranckich",
		"Comprehensive integration of immigrant pupils",
		"Комплексні заходи з інтеграції учнів-іммігрантів",
		"Acciones integrales para la integración del alumnado inmigrante",
		"Các hoạt động toàn diện hỗ trợ hội nhập học sinh nhập cư"},
	{"Platformy współpracy międzysektorowej",
		"Cross-sector cooperation platforms",
		"Платформи міжсекторальної співпраці",
		"Plataformas de cooperación intersectorial",
		"Các nền tảng hợp tác liên ngành"},
	{"Konkursy dla NGO uwzględniające diaspory imigranckie i wielokulturowy charakter miasta",
		"NGO grant calls that include immigrant diasporas and the city's multicultural character",
		"Конкурси для НУО з урахуванням іммігрантських діаспор і багатокультурного характеру міста",
		"Convocatorias para ONG que tienen en cuenta las diásporas inmigrantes y el carácter multicultural de la ciudad",
		"Các cuộc thi tài trợ cho tổ chức phi chính phủ có tính đến cộng đồng kiều dân nhập cư và tính đa văn hóa của thành phố"},
	{"Przestrzeń przyjazna imigrantom",
		"Immigrant-friendly space",
		"Простір, дружній до іммігрантів",
		"Espacio acogedor para inmigrantes",
		"Không gian thân thiện với người nhập cư"},
	{"Kompleksowe działania informacyjno-integracyjne samorządu",
		"Comprehensive information and integration activity of the city",
		"Комплексна інформаційно-інтеграційна діяльність органів місцевого самоврядування",
		"Acciones integrales de información e integración del gobierno municipal",
		"Các hoạt động thông tin và hội nhập toàn diện của chính quyền thành phố"},
	{"Współpraca miasta z ośrodkiem naukowym i badawczym w obszarze integracji imigrantów",
		"The city's cooperation with a research centre on integration",
		"Співпраця міста з науково-дослідним центром у сфері інтеграції іммігрантів",
		"Cooperación de la ciudad con un centro de investigación en materia de integración de inmigrantes",
		"Hợp tác của thành phố với trung tâm nghiên cứu khoa học về hội nhập người nhập cư"},
}

// Criterion is a demo judging criterion with the guidance jurors read beside it.
type Criterion struct{ Name, Guidance T }

// Criteria are the four judging criteria of the award ("kompleksowość, długofalowość i zaangażowanie
// samorządu oraz jego skuteczność", seed 004).
var Criteria = []Criterion{
	{T{"Kompleksowość", "Comprehensiveness", "Комплексність", "Integralidad", "Tính toàn diện"},
		T{"Czy praktyka obejmuje wiele potrzeb cudzoziemców i wiele grup, a nie jedno działanie?",
			"Does the practice meet many of foreigners' needs and reach many groups, rather than being a single action?",
			"Чи охоплює практика багато потреб іноземців і багато груп, а не одну дію?",
			"¿La práctica atiende muchas necesidades de las personas extranjeras y llega a muchos grupos, en lugar de ser una acción aislada?",
			"Hoạt động có đáp ứng nhiều nhu cầu của người nước ngoài và nhiều nhóm người, thay vì chỉ là một hoạt động đơn lẻ không?"}},
	{T{"Długofalowość", "Long-term nature", "Довготривалість", "Continuidad a largo plazo", "Tính lâu dài"},
		T{"Czy praktyka trwa lub jest zaplanowana na lata, z budżetem i ludźmi, którzy ją prowadzą?",
			"Has the practice lasted, or is it planned, for years, with a budget and people to run it?",
			"Чи триває практика або чи запланована на роки, з бюджетом і людьми, які її ведуть?",
			"¿La práctica se mantiene o está prevista durante años, con presupuesto y personas que la llevan adelante?",
			"Hoạt động đã kéo dài hoặc được lên kế hoạch trong nhiều năm, có ngân sách và người phụ trách không?"}},
	{T{"Zaangażowanie samorządu", "The city government's engagement", "Залученість органів самоврядування", "Compromiso del gobierno municipal", "Sự tham gia của chính quyền thành phố"},
		T{"Czy miasto samo prowadzi, finansuje lub współtworzy praktykę, a nie tylko ją popiera?",
			"Does the city itself run, fund or co-create the practice, rather than only endorse it?",
			"Чи місто саме веде, фінансує або співтворить практику, а не лише підтримує її?",
			"¿La ciudad dirige, financia o crea conjuntamente la práctica, y no solo la respalda?",
			"Thành phố có tự thực hiện, tài trợ hoặc cùng xây dựng hoạt động, chứ không chỉ ủng hộ nó không?"}},
	{T{"Skuteczność", "Effectiveness", "Ефективність", "Eficacia", "Tính hiệu quả"},
		T{"Czy widać efekty: ilu osobom praktyka pomogła i co się dzięki niej zmieniło?",
			"Are the results visible: how many people did the practice help, and what changed because of it?",
			"Чи видно результати: скільком людям допомогла практика і що змінилося завдяки їй?",
			"¿Se ven resultados: a cuántas personas ayudó la práctica y qué cambió gracias a ella?",
			"Kết quả có rõ ràng không: hoạt động đã giúp bao nhiêu người và điều gì đã thay đổi nhờ nó?"}},
}

// ScoreLabels name each mark of the demo's 0–5 scale.
var ScoreLabels = []T{
	{"0 – brak: praktyka nie spełnia kryterium", "0 – none: the practice does not meet the criterion",
		"0 – немає: практика не відповідає критерію", "0 – nada: la práctica no cumple el criterio",
		"0 – không có: hoạt động không đáp ứng tiêu chí"},
	{"1 – śladowo: pojedyncze elementy", "1 – barely: a few isolated elements",
		"1 – ледь помітно: окремі елементи", "1 – apenas: algunos elementos aislados",
		"1 – rất ít: chỉ vài yếu tố riêng lẻ"},
	{"2 – częściowo: wyraźne braki", "2 – partly: clear gaps",
		"2 – частково: помітні прогалини", "2 – en parte: carencias claras",
		"2 – một phần: còn thiếu sót rõ ràng"},
	{"3 – dobrze: spełnia kryterium", "3 – well: meets the criterion",
		"3 – добре: відповідає критерію", "3 – bien: cumple el criterio",
		"3 – tốt: đáp ứng tiêu chí"},
	{"4 – bardzo dobrze: ponad oczekiwania", "4 – very well: beyond expectations",
		"4 – дуже добре: понад очікування", "4 – muy bien: supera las expectativas",
		"4 – rất tốt: vượt mong đợi"},
	{"5 – wzorcowa: przykład dla innych miast", "5 – exemplary: a model for other cities",
		"5 – зразкова: приклад для інших міст", "5 – ejemplar: un modelo para otras ciudades",
		"5 – mẫu mực: tấm gương cho các thành phố khác"},
}
