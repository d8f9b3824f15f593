-- The search phase's public practices (internal/bench/search.go); :per_report is replaced.
-- cities
INSERT INTO cities (id, name) SELECT gen_random_uuid(), n FROM unnest(ARRAY['Warszawa','Kraków','Łódź','Wrocław','Poznań','Gdańsk','Szczecin','Bydgoszcz','Lublin','Białystok','Katowice','Rzeszów']) n ON CONFLICT DO NOTHING;
INSERT INTO editions (id, year, name) SELECT gen_random_uuid(), y, 'Miasta Otwarte ' || y FROM generate_series(2015, 2024) y;
INSERT INTO edition_cities SELECT e.id, c.id FROM editions e, cities c;
INSERT INTO categories (edition_id, number, name_pl, name_en, name_texts)
SELECT e.id, k.n, k.pl, k.en, jsonb_build_object('en', k.en) FROM editions e, (VALUES
 (1,'Miejska strategia dotycząca różnorodności kulturowej oraz integracji imigrantów','City strategy on cultural diversity and integration of immigrants'),
 (2,'Zatrudnianie cudzoziemców w urzędach miejskich','Employing foreigners in city offices'),
 (3,'Promocja polskich uczelni wśród cudzoziemców; integracja studentów zagranicznych','Promoting Polish universities abroad; integrating foreign students'),
 (4,'Kompleksowa pomoc społeczna dostępna dla cudzoziemców','Comprehensive social assistance open to foreigners'),
 (5,'Miejski punkt obsługi cudzoziemców','City service point for foreigners'),
 (6,'Kompleksowe działania na rzecz integracji uczniów imigranckich','Comprehensive integration of immigrant pupils'),
 (7,'Platformy współpracy międzysektorowej','Cross-sector cooperation platforms'),
 (8,'Konkursy dla NGO uwzględniające diaspory imigranckie i wielokulturowy charakter miasta','NGO grant calls that include immigrant diasporas'),
 (9,'Przestrzeń przyjazna imigrantom','Immigrant-friendly space'),
 (10,'Kompleksowe działania informacyjno-integracyjne samorządu','Comprehensive information and integration activity of the city'),
 (11,'Współpraca miasta z ośrodkiem naukowym i badawczym w obszarze integracji imigrantów','The city''s cooperation with a research centre on integration')) k(n, pl, en);
INSERT INTO reports (edition_id, city_id, status, version) SELECT e.id, c.id, 'DRAFT', 1 FROM editions e, cities c;
-- practices
WITH r AS (SELECT id, edition_id, row_number() OVER (ORDER BY edition_id, city_id) AS rn FROM reports),
w AS (SELECT
  ARRAY['Centrum','Punkt','Program','Projekt','Inicjatywa','Akademia','Sieć','Forum','Szkoła','Klub'] AS a,
  ARRAY['wielokulturowe','informacyjny','integracyjny','sąsiedzki','międzykulturowy','doradczy','edukacyjny','miejski'] AS b,
  ARRAY['dla migrantów','dla cudzoziemców','dla uchodźców z Ukrainy','dla studentów zagranicznych','dla uczniów z doświadczeniem migracji','dla rodzin imigranckich','dla pracowników z zagranicy','dla seniorów cudzoziemców'] AS c,
  ARRAY['Miasto prowadzi punkt informacyjny dla cudzoziemców w urzędzie.','Urząd zatrudnia asystentów międzykulturowych w szkołach podstawowych.','Organizacje pozarządowe otrzymują granty na działania integracyjne.','Kursy języka polskiego są bezpłatne dla wszystkich mieszkańców.','Działania obejmują doradztwo prawne i zawodowe.','Program wspiera integrację dzieci migrantów w przedszkolach.','Samorząd współpracuje z uczelniami i diasporami.','Mediatorzy pomagają rodzinom w kontaktach z administracją.','Strona internetowa miasta jest dostępna w pięciu językach.','Festiwal kultur gromadzi co roku tysiące mieszkańców.','Rada imigrantów doradza prezydentowi miasta.','Badania naukowe pokazują potrzeby społeczności ukraińskiej.','Pracownicy socjalni przechodzą szkolenia z komunikacji międzykulturowej.','Biblioteki prowadzą kluby rozmów po polsku.','Miejskie centrum kontaktu odpowiada po ukraińsku i angielsku.','Wolontariusze wspierają uczniów w odrabianiu lekcji.'] AS s,
  ARRAY['studenci','uchodźcy','uczniowie','rodziny z dziećmi','pracownicy migrujący','seniorzy','kobiety migrantki','Ukraińcy','Wietnamczycy','Białorusini'] AS t,
  ARRAY['Fundacja Ocalenie','Stowarzyszenie Interwencji Prawnej','Polskie Forum Migracyjne','Fundacja Nasz Wybór','Caritas','uniwersytet','Wojewódzki Urząd Pracy','Centrum Wielokulturowe'] AS p
)
INSERT INTO practices (id, report_id, position, title, description, category_id, partners, target_groups, narratives)
SELECT gen_random_uuid(), r.id, g.i,
  w.a[1 + (g.i * 7 + r.rn) % 10] || ' ' || w.b[1 + (g.i * 3 + r.rn * 5) % 8] || ' ' || w.c[1 + (g.i + r.rn * 3) % 8] || ' ' || g.i,
  w.s[1 + (g.i * 5 + r.rn) % 16] || ' ' || w.s[1 + (g.i * 11 + r.rn * 3) % 16] || ' ' || w.s[1 + (g.i * 13 + r.rn * 7) % 16],
  (SELECT k.id FROM categories k WHERE k.edition_id = r.edition_id AND k.number = 1 + (g.i + r.rn) % 11),
  w.p[1 + (g.i + r.rn) % 8] || ', ' || w.p[1 + (g.i * 3 + r.rn) % 8],
  w.t[1 + (g.i * 7 + r.rn) % 10] || ', ' || w.t[1 + (g.i * 3 + r.rn * 2) % 10],
  jsonb_build_array(
    jsonb_build_object('criterion_id', gen_random_uuid(), 'text', w.s[1 + (g.i * 17 + r.rn) % 16] || ' ' || w.s[1 + (g.i * 19 + r.rn) % 16] || ' ' || w.s[1 + (g.i * 23 + r.rn) % 16]),
    jsonb_build_object('criterion_id', gen_random_uuid(), 'text', w.s[1 + (g.i * 29 + r.rn) % 16] || ' ' || w.s[1 + (g.i * 31 + r.rn) % 16] || ' ' || w.s[1 + (g.i * 37 + r.rn) % 16]))
FROM r, w, generate_series(1, :per_report) g(i);
INSERT INTO nominations (edition_id, category_id, practice_id, distinguished)
SELECT r.edition_id, p.category_id, p.id, p.position % 40 = 0 FROM practices p JOIN reports r ON r.id = p.report_id WHERE p.position % 20 = 0;
-- step
UPDATE reports SET status = 'ACCEPTED';
UPDATE editions SET stage = 'ANNOUNCED';
