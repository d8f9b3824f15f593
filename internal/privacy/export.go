package privacy

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
)

// exportSQL builds the document in one statement from the subject's ids: $1 the account (or NULL),
// $2 its invitations, $3 its assignments, $4 the mail to it, $5 its addresses. A sign-in code is never
// exported (its mail's body is blanked once sent; before that it is the recipient's alone).
const exportSQL = `SELECT jsonb_build_object(
	'export_time', now(),
	'account', (SELECT jsonb_build_object('id', u.id, 'email', u.email, 'email_verified', u.email_verified, 'name', u.name,
		'issuer', u.issuer, 'subject', u.subject, 'create_time', u.create_time, 'update_time', u.update_time, 'erase_time', u.erase_time)
		FROM users u WHERE u.id = $1),
	'sessions', (SELECT jsonb_build_object('count', count(*), 'active', count(*) FILTER (WHERE expire_time > now()))
		FROM sessions WHERE user_id = $1),
	'invitations', coalesce((SELECT jsonb_agg(jsonb_build_object('id', i.id, 'edition_id', i.edition_id, 'edition_year', e.year,
		'email', i.email, 'role', i.role, 'city', c.name, 'display_name', i.display_name, 'pseudonym', i.pseudonym,
		'language', i.language, 'languages', i.languages, 'state', i.state, 'create_time', i.create_time,
		'accept_time', i.accept_time, 'revoke_time', i.revoke_time) ORDER BY i.create_time, i.id)
		FROM invitations i JOIN editions e ON e.id = i.edition_id LEFT JOIN cities c ON c.id = i.city_id WHERE i.id = ANY($2)), '[]'),
	'roles', coalesce((SELECT jsonb_agg(jsonb_build_object('id', ra.id, 'edition_id', ra.edition_id, 'edition_year', e.year,
		'role', ra.role, 'city', c.name, 'display_name', ra.display_name, 'pseudonym', ra.pseudonym, 'language', ra.language,
		'languages', ra.languages, 'invitation_id', ra.invitation_id, 'create_time', ra.create_time,
		'revoke_time', ra.revoke_time, 'revoke_reason', ra.revoke_reason) ORDER BY ra.create_time, ra.id)
		FROM role_assignments ra JOIN editions e ON e.id = ra.edition_id LEFT JOIN cities c ON c.id = ra.city_id WHERE ra.id = ANY($3)), '[]'),
	'reports', coalesce((SELECT jsonb_agg(jsonb_build_object('report_id', r.id, 'edition_year', e.year, 'city', c.name,
		'status', r.status, 'version', r.version, 'versions_kept', (SELECT count(*) FROM report_versions v WHERE v.report_id = r.id))
		ORDER BY e.year, c.name)
		FROM reports r JOIN editions e ON e.id = r.edition_id JOIN cities c ON c.id = r.city_id
		WHERE EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.id = ANY($3) AND ra.role = 'EXPERT' AND ra.edition_id = r.edition_id AND ra.city_id = r.city_id)), '[]'),
	'ballots', coalesce((SELECT jsonb_agg(jsonb_build_object('assignment_id', b.assignment_id, 'edition_id', b.edition_id,
		'version', b.version, 'update_time', b.update_time, 'comments', b.comments,
		'casts', coalesce((SELECT jsonb_agg(jsonb_build_object('id', bc.id, 'version', bc.version, 'ballot_hash', bc.ballot_hash,
			'cast_time', bc.cast_time) ORDER BY bc.cast_time, bc.id) FROM ballot_casts bc WHERE bc.assignment_id = b.assignment_id), '[]'))
		ORDER BY b.update_time)
		FROM ballots b WHERE b.assignment_id = ANY($3)), '[]'),
	'recusals', coalesce((SELECT jsonb_agg(jsonb_build_object('assignment_id', cf.assignment_id, 'nomination_id', cf.nomination_id,
		'kind', cf.kind, 'reason', cf.reason, 'create_time', cf.create_time) ORDER BY cf.create_time)
		FROM conflicts cf WHERE cf.assignment_id = ANY($3)), '[]'),
	'mail', coalesce((SELECT jsonb_agg(jsonb_build_object('id', m.id, 'edition_id', m.edition_id, 'kind', m.kind,
		'recipient_email', m.recipient_email, 'recipient_name', m.recipient_name, 'language', m.language, 'subject', m.subject,
		'body', CASE WHEN m.kind = 'SIGN_IN_CODE' THEN '' ELSE m.body END, 'status', m.status, 'create_time', m.create_time, 'sent_time', m.sent_time,
		'delivery_attempts', (SELECT count(*) FROM mail_delivery_attempts a WHERE a.mail_id = m.id)) ORDER BY m.seq)
		FROM mail_outbox m WHERE m.id = ANY($4)), '[]'),
	'email_sign_in', jsonb_build_object(
		'accounts', coalesce((SELECT jsonb_agg(jsonb_build_object('email', a.email, 'subject', a.subject, 'create_time', a.create_time)
			ORDER BY a.create_time) FROM signin_accounts a WHERE a.email = ANY($5)), '[]'),
		'events', coalesce((SELECT jsonb_agg(jsonb_build_object('kind', ev.kind, 'email', ev.email, 'client_addr', ev.client_addr,
			'event_time', ev.event_time) ORDER BY ev.seq) FROM signin_events ev WHERE ev.email = ANY($5)), '[]')),
	'erasures', coalesce((SELECT jsonb_agg(jsonb_build_object('id', x.id, 'erased_by', x.erased_by, 'erase_time', x.erase_time,
		'counts', x.counts) ORDER BY x.erase_time)
		FROM erasures x WHERE x.user_id = $1 OR x.invitation_id = ANY($2)), '[]'))`

// Export returns everything the platform holds about p as one JSON document (indented, for people).
func (s *Service) Export(ctx context.Context, actor *auth.Principal, p Person) ([]byte, error) {
	if err := platformOrganiser(actor); err != nil {
		return nil, err
	}
	var doc json.RawMessage
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		sub, err := resolve(ctx, tx, p)
		if err != nil {
			return err
		}
		var user any
		if sub.user != [16]byte{} {
			user = sub.user
		}
		return tx.QueryRow(ctx, exportSQL, user, sub.invitations, sub.assignments, sub.mails, sub.emails).Scan(&doc)
	})
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, err
	}
	return json.MarshalIndent(v, "", "  ")
}
