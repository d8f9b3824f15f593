package privacy

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
)

// Notice is the privacy notice in one language.
type Notice struct {
	Language   string
	Text       string
	Edited     bool
	UpdateTime time.Time
}

// Notice returns the organisers' notice in language, or the platform's default (Polish, or English
// for the other languages) when they have not written one.
func (s *Service) Notice(ctx context.Context, language string) (Notice, error) {
	if language == "" {
		language = "pl"
	}
	n := Notice{Language: language, Edited: true}
	err := s.pool.QueryRow(ctx, `SELECT text, update_time FROM privacy_notices WHERE language = $1`, language).Scan(&n.Text, &n.UpdateTime)
	if errors.Is(err, pgx.ErrNoRows) {
		n.Edited = false
		n.Text = defaultNotice[language]
		if n.Text == "" {
			n.Text = defaultNotice["en"]
		}
		return n, nil
	}
	return n, err
}

// SetNotice replaces the notice in language. The handler has checked the language and the length.
func (s *Service) SetNotice(ctx context.Context, actor *auth.Principal, language, text string) (Notice, error) {
	n := Notice{Language: language, Text: text, Edited: true}
	err := s.pool.QueryRow(ctx, `INSERT INTO privacy_notices (language, text, updated_by) VALUES ($1, $2, $3)
		ON CONFLICT (language) DO UPDATE SET text = excluded.text, updated_by = excluded.updated_by, update_time = now()
		RETURNING update_time`, language, text, actorID(actor)).Scan(&n.UpdateTime)
	return n, err
}

func actorID(actor *auth.Principal) any {
	if id := actor.User(); id != [16]byte{} {
		return id
	}
	return nil
}

// defaultNotice is shown until the organisers write their own.
var defaultNotice = map[string]string{
	"pl": `Administratorem danych osobowych jest organizator konkursu „Miasta Otwarte”.

Przetwarzamy imię i nazwisko oraz adres e-mail osób zaproszonych do udziału w konkursie (ekspertek i ekspertów miejskich, jurorek i jurorów, tłumaczek i tłumaczy, organizatorów), treści, które piszą na platformie (raporty miast, karty do głosowania, uzasadnienia konfliktów interesów), wiadomości e-mail do nich oraz dane sesji logowania. Celem jest przeprowadzenie konkursu i publikacja jego wyników.

Dziennik audytu zawiera wyłącznie identyfikatory i zobowiązania kryptograficzne, nigdy imion, adresów ani tekstów prywatnych. Wyniki konkursu i raporty miast są publiczne.

Treść wiadomości e-mail, próby doręczenia i wygasłe sesje usuwamy po okresie wskazanym w ustawieniach platformy. Każda osoba może zażądać kopii swoich danych oraz ich usunięcia: napisz do organizatorów. Usunięcie nie zmienia opublikowanych wyników ani dziennika audytu.`,
	"en": `The controller of personal data is the organiser of the "Miasta Otwarte" (Open Cities) award.

We process the names and e-mail addresses of the people invited to take part (city experts, jurors, translators, organisers), what they write on the platform (city reports, ballots, reasons for conflicts of interest), the e-mail sent to them and their sign-in sessions, in order to run the award and publish its results.

The audit log holds only identifiers and cryptographic commitments, never names, addresses or private texts. The results and the cities' reports are public.

Mail bodies, delivery attempts and expired sessions are deleted after the periods set in the platform's configuration. Anyone may ask for a copy of their data or for its erasure: write to the organisers. Erasure does not change the published results or the audit log.`,
}
