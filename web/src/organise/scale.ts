// The default scale of a new tally rule: 0–5, every mark named and explained in the five languages,
// so that a juror reads what each score means (the organiser can reword any of them).
export const DEFAULT_SCALE: { [language: string]: string }[] = [
  {
    pl: "0 – brak: praktyka nie spełnia kryterium",
    en: "0 – none: the practice does not meet the criterion",
    uk: "0 – немає: практика не відповідає критерію",
    es: "0 – nada: la práctica no cumple el criterio",
    vi: "0 – không có: hoạt động không đáp ứng tiêu chí",
  },
  {
    pl: "1 – śladowo: pojedyncze elementy",
    en: "1 – barely: a few isolated elements",
    uk: "1 – ледь помітно: окремі елементи",
    es: "1 – apenas: algunos elementos aislados",
    vi: "1 – rất ít: chỉ vài yếu tố riêng lẻ",
  },
  {
    pl: "2 – częściowo: wyraźne braki",
    en: "2 – partly: clear gaps",
    uk: "2 – частково: помітні прогалини",
    es: "2 – en parte: carencias claras",
    vi: "2 – một phần: còn thiếu sót rõ ràng",
  },
  {
    pl: "3 – dobrze: spełnia kryterium",
    en: "3 – well: meets the criterion",
    uk: "3 – добре: відповідає критерію",
    es: "3 – bien: cumple el criterio",
    vi: "3 – tốt: đáp ứng tiêu chí",
  },
  {
    pl: "4 – bardzo dobrze: ponad oczekiwania",
    en: "4 – very well: beyond expectations",
    uk: "4 – дуже добре: понад очікування",
    es: "4 – muy bien: supera las expectativas",
    vi: "4 – rất tốt: vượt mong đợi",
  },
  {
    pl: "5 – wzorcowa: przykład dla innych miast",
    en: "5 – exemplary: a model for other cities",
    uk: "5 – зразкова: приклад для інших міст",
    es: "5 – ejemplar: un modelo para otras ciudades",
    vi: "5 – mẫu mực: tấm gương cho các thành phố khác",
  },
];
