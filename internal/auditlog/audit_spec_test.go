package auditlog_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/canon"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
	"github.com/miasta-otwarte/miasta/internal/verify"
	"github.com/miasta-otwarte/miasta/internal/verify/fixture"
)

// tsVerify runs the independent TypeScript verifier (verifier/, written from spec/audit.md alone) on
// a bundle and returns "ok" or the identifier of the check it names. `make verifier-test` builds it.
func tsVerify(t *testing.T, bundle []byte, key string, checkpoints ...string) string {
	t.Helper()
	cli, err := filepath.Abs("../../verifier/dist/miasta-verify.mjs")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cli); err != nil {
		t.Fatalf("the TypeScript verifier is not built (%v): run make verifier-test", err)
	}
	f := filepath.Join(t.TempDir(), "bundle.json")
	if err := os.WriteFile(f, bundle, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{cli, "-key", key}
	for i, c := range checkpoints {
		cf := filepath.Join(t.TempDir(), fmt.Sprintf("checkpoint-%d.txt", i))
		if err := os.WriteFile(cf, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-checkpoint", cf)
	}
	out, err := exec.Command("node", append(args, f)...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		if fields := strings.Fields(string(out)); len(fields) > 1 && fields[0] == "FAIL" {
			return strings.TrimSuffix(fields[1], ":")
		}
	}
	t.Fatalf("the TypeScript verifier: %v\n%s", err, out)
	return ""
}

func newAuditKey(t *testing.T) auditlog.Key {
	t.Helper()
	k, err := auditlog.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// writeAuditKey replaces a key file at once, as an operator would (write beside it, rename).
func writeAuditKey(t *testing.T, name string, k auditlog.Key) {
	t.Helper()
	tmp := name + ".new"
	if err := os.WriteFile(tmp, k.File(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, name); err != nil {
		t.Fatal(err)
	}
}

// goVerify returns "ok" or the check the Go verifier names.
func goVerify(bundle []byte, key string, checkpoints ...string) string {
	return fixture.Verdict(bundle, verify.Options{Key: key, Checkpoints: checkpoints})
}

// TestAuditDataIsTheSpecification runs an edition through everything the log records — returns,
// conflicts, abstentions, a step back to review that changes the shortlist, a reopened round, tie
// decisions, mail review, revoked invitations — and then checks what the specification promises: every
// event the platform wrote (in every edition and platform-wide) is of a kind and shape §6 defines; the
// bundle verifies, by the Go verifier and by the independent TypeScript one, which also agree on a
// tampered copy; nothing private is in it in plain text, and a draft edition publishes nothing; the
// public results and the verifier's summary show every step back with its reason. The signing key is
// rotated while the jury votes (the server takes the new key from its replaced key file): both
// verifiers, given the first key and checkpoints saved on both sides of the rotation, verify across it.
func TestAuditDataIsTheSpecification(t *testing.T) {
	t.Parallel()
	keyFile := filepath.Join(t.TempDir(), "audit.key")
	key1, key2 := newAuditKey(t), newAuditKey(t)
	writeAuditKey(t, keyFile, key1)
	var logs testenv.LogBuffer
	env := testenv.Start(t, testenv.Options{Log: &logs, Configure: func(c *config.Config) { c.AuditKey, c.AuditKeyFile = "", keyFile }})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	const comment, conflictReason, abstainReason, mailText = "Proszę dodać partnerów (tajne).", "Pracowałam przy tym projekcie (tajne).", "Nie znam tej dzielnicy (tajne).", "Treść poprawionej wiadomości (tajne)."

	e := testenv.SeedEdition(t, org)
	second := testenv.CityFor(t, org, e, "Gdańsk")
	r, noms := env.Shortlisted(t, org, testenv.Connect, e, []*v1.City{second}, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice(fmt.Sprintf("Praktyka A%d", i), r.Categories[0], r.Criteria...), testenv.Practice(fmt.Sprintf("Praktyka B%d", i), r.Categories[0], r.Criteria...)}
	})
	id, year := r.ID(), r.Edition.GetYear()
	rule := testenv.MeanRule(0, 5, 1, r.Criteria...)
	rule.TieBreaks = []v1.TieBreak{v1.TieBreak_TIE_BREAK_MORE_TOP_MARKS, v1.TieBreak_TIE_BREAK_JURY_DECISION}
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: rule}))

	// Mail: an edited, a released and a discarded invitation mail, and policies set.
	held := testenv.Must(org.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{EditionId: id, Status: v1.MailStatus_MAIL_STATUS_HELD})).GetMails()
	if len(held) < 3 {
		t.Fatalf("%d held mails; want the invitations held for review", len(held))
	}
	edited := testenv.Must(org.Mail.EditOutboxMail(ctx, &v1.EditOutboxMailRequest{MailId: held[0].GetId(), ExpectedVersion: held[0].GetVersion(), Subject: "Zaproszenie", Body: mailText})).GetMail()
	testenv.Must(org.Mail.ReleaseOutboxMail(ctx, &v1.ReleaseOutboxMailRequest{MailId: edited.GetId(), ExpectedVersion: edited.GetVersion()}))
	testenv.Must(org.Mail.DiscardOutboxMail(ctx, &v1.DiscardOutboxMailRequest{MailId: held[1].GetId(), ExpectedVersion: held[1].GetVersion()}))
	testenv.Must(org.Mail.SetMailPolicy(ctx, &v1.SetMailPolicyRequest{Kind: v1.MailKind_MAIL_KIND_RESULTS_ANNOUNCED, Delivery: v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC}))
	testenv.Must(org.Mail.SetMailPolicy(ctx, &v1.SetMailPolicyRequest{EditionId: id, Kind: v1.MailKind_MAIL_KIND_JURY_OPENED, Delivery: v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC}))
	pending := testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: id, Email: "nie.przyjdzie@miasta.test", Role: v1.Role_ROLE_JUROR, CityId: second.GetId(), DisplayName: "Nikt"})).GetInvitation()
	testenv.Must(org.Identity.RevokeInvitation(ctx, &v1.RevokeInvitationRequest{InvitationId: pending.GetId()}))

	// Three jurors, one from each reporting city and one from elsewhere; the first declares a
	// conflict, the second abstains. A0 and A1 get equal marks from everyone: a tie.
	jurors := []testenv.Juror{
		env.NewJuror(t, org, testenv.Connect, id, r.Cities[0], fmt.Sprintf("j1.%d@miasta.test", year), "Amani Otieno"),
		env.NewJuror(t, org, testenv.Connect, id, second, fmt.Sprintf("j2.%d@miasta.test", year), "Kwame Mensah"),
		env.NewJuror(t, org, testenv.Connect, id, testenv.CityFor(t, org, e, "Wrocław"), fmt.Sprintf("j3.%d@miasta.test", year), "Nguyễn Thị Lan"),
	}
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)
	conflicted, abstained := noms[1][1].GetId(), noms[0][1].GetId()
	testenv.Must(jurors[0].Clients.Jury.DeclareConflict(ctx, &v1.DeclareConflictRequest{EditionId: id, NominationId: conflicted, Reason: conflictReason}))
	testenv.Must(jurors[1].Clients.Jury.Abstain(ctx, &v1.AbstainRequest{EditionId: id, NominationId: abstained, Reason: abstainReason}))
	marksFor := func(j int, round int32) []*v1.Score {
		var out []*v1.Score
		for ci, city := range noms {
			for _, n := range city {
				recused := j == ci || (j == 0 && n.GetId() == conflicted) || (j == 1 && n.GetId() == abstained)
				if recused {
					continue
				}
				for _, c := range r.Criteria {
					v := (int32(j) + round + int32(len(n.GetPractice().GetTitle()))) % 6
					if n.GetId() == noms[0][0].GetId() || n.GetId() == noms[1][0].GetId() {
						v = 4 // A0 and A1: a tie
					}
					out = append(out, testenv.Mark(n, c, v))
				}
			}
		}
		return out
	}
	for j := range jurors {
		testenv.CastScores(t, jurors[j], id, marksFor(j, 0)...)
	}
	// A fourth juror casts and has the role revoked (a compromised account): the cast stays in the log,
	// never counted.
	revoked := env.NewJuror(t, org, testenv.Connect, id, jurors[2].Assignment.GetCity(), fmt.Sprintf("j4.%d@miasta.test", year), "Juror odwołany")
	testenv.CastScores(t, revoked, id, marksFor(2, 0)...)
	testenv.Must(org.Identity.RevokeRole(ctx, &v1.RevokeRoleRequest{AssignmentId: revoked.Assignment.GetId(), Reason: "Konto przejęte."}))
	// The key rotated mid-round: the server's key file is replaced, then the rotation written.
	if err := env.App.Audit.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	beforeRotation := testenv.Must(env.Clients(testenv.Connect, "").Audit.GetCheckpoint(ctx, &v1.GetCheckpointRequest{})).GetCheckpoint()
	writeAuditKey(t, keyFile, key2)
	if _, err := env.App.Audit.Rotate(ctx, key2); err != nil {
		t.Fatalf("rotate the key: %v", err)
	}
	keys := testenv.Must(env.Clients(testenv.Connect, "").Audit.GetPublicKey(ctx, &v1.GetPublicKeyRequest{}))
	if keys.GetVerifierKey() != key1.Verifier || keys.GetSigningKey() != key2.Verifier {
		t.Fatalf("after the rotation GetPublicKey = %v; want the log's key %s, signing with %s", keys, key1.Verifier, key2.Verifier)
	}
	// Back to review: a nomination replaced, every juror casts again.
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REVIEW, Reason: "Praktyka B1 nie spełnia warunków."}))
	testenv.Must(org.Reports.Unnominate(ctx, &v1.UnnominateRequest{NominationId: conflicted, Reason: "Warunki konkursu."}))
	noms[1] = noms[1][:1]
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)
	for j := range jurors {
		testenv.CastScores(t, jurors[j], id, marksFor(j, 1)...)
	}
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_TALLIED)
	// Reopened after the tally was read: visible forever.
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_JURY, Reason: "Jurorka zgłosiła pomyłkę w karcie."}))
	testenv.CastScores(t, jurors[2], id, marksFor(2, 2)...)
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_TALLIED)
	// The tie at the winning place must be decided before the announcement.
	if _, err := org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_ANNOUNCED}); testenv.Code(err) != connect.CodeFailedPrecondition || !strings.Contains(err.Error(), "place 1") {
		t.Fatalf("announcing with an undecided tie at the winning place = %v; want FailedPrecondition naming the place", err)
	}
	decision := "Jury wybrało praktykę o szerszym zasięgu, 2:1."
	testenv.Must(org.Results.RecordJuryDecision(ctx, &v1.RecordJuryDecisionRequest{EditionId: id, CategoryId: r.Categories[0].GetId(), NominationIds: []string{noms[1][0].GetId(), noms[0][0].GetId()}, Reason: decision}))
	if _, err := org.Results.RecordJuryDecision(ctx, &v1.RecordJuryDecisionRequest{EditionId: id, CategoryId: r.Categories[0].GetId(), NominationIds: []string{noms[0][0].GetId(), noms[1][0].GetId()}, Reason: "Jeszcze raz."}); testenv.Code(err) != connect.CodeInvalidArgument {
		t.Fatalf("deciding a decided tie again = %v; want InvalidArgument", err)
	}
	// The jury's texts: a justification per distinction and recommendations, which the announcement
	// records.
	for _, c := range testenv.Must(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: id})).GetTally().GetCategories() {
		for _, n := range c.GetNominations() {
			if n.GetWinner() {
				testenv.Must(org.Results.SetDistinctionJustification(ctx, &v1.SetDistinctionJustificationRequest{EditionId: id, NominationId: n.GetNomination().GetId(),
					Text: map[string]string{"pl": "Za \"otwarty\" punkt: " + n.GetNomination().GetPractice().GetTitle(), "uk": "За відкритий пункт <&>."}}))
			}
		}
	}
	testenv.Must(org.Results.SetJuryRecommendations(ctx, &v1.SetJuryRecommendationsRequest{EditionId: id, Text: map[string]string{"pl": "Zatrudniajcie cudzoziemców.\nDrugi akapit.", "vi": "Hãy tuyển dụng người nước ngoài."}}))
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_ANNOUNCED)

	// Another edition, left in DRAFT, and one reporting with a returned report.
	draft := testenv.SeedEdition(t, org)
	extra := testenv.CityFor(t, org, draft, "Toruń")
	testenv.Must(org.Editions.AddEditionCity(ctx, &v1.AddEditionCityRequest{EditionId: draft.GetId(), CityId: extra.GetId()}))
	testenv.Must(org.Editions.RemoveEditionCity(ctx, &v1.RemoveEditionCityRequest{EditionId: draft.GetId(), CityId: extra.GetId()}))
	rep := env.ReportingEdition(t, org, testenv.Connect, 48*time.Hour)
	saved := testenv.Must(rep.Experts[0].Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: rep.ID(), CityId: rep.Cities[0].GetId(), Introduction: "Szkic", Practices: []*v1.Practice{testenv.Practice("Szkic praktyki", rep.Categories[0], rep.Criteria...)}})).GetReport()
	sub := testenv.Must(rep.Experts[0].Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: rep.ID(), CityId: rep.Cities[0].GetId(), ExpectedVersion: saved.GetVersion()})).GetReport()
	testenv.Must(org.Reports.ReturnReport(ctx, &v1.ReturnReportRequest{EditionId: rep.ID(), CityId: rep.Cities[0].GetId(), ExpectedVersion: sub.GetVersion(), Comment: comment}))

	// Every event the platform wrote is one the specification defines.
	rows, err := env.App.Pool.Query(ctx, `SELECT id, kind, payload::text, actor_role, edition_id IS NULL FROM events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for rows.Next() {
		var (
			eid      int64
			kind, p  string
			role     *string
			platform bool
		)
		if err := rows.Scan(&eid, &kind, &p, &role, &platform); err != nil {
			t.Fatal(err)
		}
		kinds[kind]++
		if err := verify.CheckPayload(kind, []byte(p)); err != nil {
			t.Errorf("event %d: %v", eid, err)
		}
	}
	rows.Close()
	for kind := range verify.Schemas {
		if kinds[kind] == 0 {
			t.Errorf("the scenario wrote no %s event: extend it so every kind is checked", kind)
		}
	}

	// The bundle verifies, by both verifiers, across the rotation and against checkpoints saved on both
	// sides of it.
	key := key1.Verifier
	bundle := env.Bundle(t, year)
	afterRotation := testenv.Must(env.Clients(testenv.Connect, "").Audit.GetCheckpoint(ctx, &v1.GetCheckpointRequest{})).GetCheckpoint()
	sum, err := verify.Verify(bundle, verify.Options{Key: key, Checkpoints: []string{beforeRotation, afterRotation}})
	if err != nil {
		t.Fatalf("the Go verifier: %v", err)
	}
	if got := tsVerify(t, bundle, key, beforeRotation, afterRotation); got != "ok" {
		t.Fatalf("the TypeScript verifier says %s for a bundle the Go verifier accepts", got)
	}
	if len(sum.Rotations) != 1 || sum.Rotations[0].Key != key2.Verifier || len(sum.Pinned) != 2 {
		t.Errorf("summary: rotations %+v, pinned %+v; want the one rotation and both checkpoints", sum.Rotations, sum.Pinned)
	}
	if g, ts := goVerify(bundle, key2.Verifier), tsVerify(t, bundle, key2.Verifier); g != "K1" || ts != "K1" {
		t.Errorf("given the rotated-to key instead of the log's: Go %s, TypeScript %s; want K1", g, ts)
	}
	if len(sum.StepsBack) != 2 || sum.StepsBack[1].From != "TALLIED" || sum.StepsBack[1].TallyHash == "" || len(sum.Decisions) != 1 || sum.Decisions[0].Reason != decision {
		t.Errorf("summary: steps back %+v, decisions %+v; want both moves back (the reopening with the tally it set aside) and the decision", sum.StepsBack, sum.Decisions)
	}
	// The published jury texts are the ones the announcement's record holds; one changed in the
	// bundle fails both verifiers.
	pub := testenv.Must(env.Clients(testenv.Connect, "").Results.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: year}))
	var announced struct {
		Justifications []struct {
			NominationID string            `json:"nomination_id"`
			Text         map[string]string `json:"text"`
		} `json:"justifications"`
		Recommendations map[string]string `json:"recommendations"`
	}
	for _, en := range bundleEntries(t, bundle) {
		var ev struct {
			Kind    string          `json:"kind"`
			Payload json.RawMessage `json:"payload"`
		}
		if !en.digest && json.Unmarshal([]byte(en.raw), &ev) == nil && ev.Kind == "results.announced" {
			if err := json.Unmarshal(ev.Payload, &announced); err != nil {
				t.Fatal(err)
			}
		}
	}
	published := map[string]map[string]string{}
	for _, c := range pub.GetCategories() {
		for _, n := range c.GetNominations() {
			published[n.GetNomination().GetId()] = n.GetJustification()
		}
	}
	if len(announced.Justifications) == 0 || len(announced.Justifications) != len(published) {
		t.Errorf("the announcement records %d justifications; the results publish %d winners", len(announced.Justifications), len(published))
	}
	for _, j := range announced.Justifications {
		if fmt.Sprint(j.Text) != fmt.Sprint(published[j.NominationID]) {
			t.Errorf("nomination %s: the log records %v, the results publish %v", j.NominationID, j.Text, published[j.NominationID])
		}
	}
	if fmt.Sprint(announced.Recommendations) != fmt.Sprint(pub.GetRecommendations()) || pub.GetRecommendations()["vi"] == "" {
		t.Errorf("the log records the recommendations %v, the results publish %v", announced.Recommendations, pub.GetRecommendations())
	}
	textEdited := strings.Replace(string(bundle), "Zatrudniajcie cudzoziemców.", "Zwalniajcie cudzoziemców.", 1)
	if g, ts := goVerify([]byte(textEdited), key), tsVerify(t, []byte(textEdited), key); g != "K3" || ts != "K3" {
		t.Errorf("the recommendations edited in the bundle: Go says %s, TypeScript %s; want K3 from both", g, ts)
	}

	tampered := strings.Replace(string(bundle), `"winner":true`, `"winner":false`, 1)
	if g, ts := goVerify([]byte(tampered), key), tsVerify(t, []byte(tampered), key); g != "T4" || ts != "T4" {
		t.Errorf("a winner removed from the published tally: Go says %s, TypeScript %s; want T4 from both", g, ts)
	}

	// Nothing private in plain text; other editions' leaves, the draft's among them, only as digests.
	for name, secret := range map[string]string{"return comment": comment, "conflict reason": conflictReason, "abstention reason": abstainReason, "mail text": mailText, "e-mail address": "@miasta.test", "juror's name": "Amani Otieno"} {
		for yr, b := range map[int32][]byte{year: bundle, rep.Edition.GetYear(): env.Bundle(t, rep.Edition.GetYear())} {
			if strings.Contains(string(b), secret) {
				t.Errorf("the bundle of %d holds the %s in plain text", yr, name)
			}
		}
	}
	entries := bundleEntries(t, bundle)
	for _, en := range entries {
		if en.editionID == draft.GetId() && !en.digest {
			t.Errorf("the draft edition's event %s is in another edition's bundle in full", en.raw)
		}
	}
	stream, err := env.Clients(testenv.Connect, "").Audit.ExportBundle(ctx, &v1.ExportBundleRequest{Year: draft.GetYear()})
	if err == nil {
		for stream.Receive() {
		}
		err = stream.Err()
	}
	if testenv.Code(err) != connect.CodeNotFound {
		t.Errorf("ExportBundle of a draft edition = %v; want NotFound", err)
	}

	// No private key anywhere in the database (every row of every table, as a backup holds them) or in
	// the server's logs: only the public halves.
	private := func(k auditlog.Key) []string {
		// PRIVATE+KEY+<name>+<hash>+<base64 of the seed>: the base64 may itself hold "+".
		f := strings.TrimSpace(string(k.File()))
		parts := strings.SplitN(f, "+", 5)
		if len(parts) != 5 || len(parts[4]) < 40 {
			t.Fatalf("unexpected key file form %d parts", len(parts))
		}
		return []string{f, parts[4]}
	}
	tables, err := env.App.Pool.Query(ctx, `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
		WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	if len(names) < 10 {
		t.Fatalf("only %d tables found: %v", len(names), names)
	}
	for _, n := range names {
		var dump string
		if err := env.App.Pool.QueryRow(ctx, `SELECT coalesce(string_agg(t::text, E'\n'), '') FROM `+n+` AS t`).Scan(&dump); err != nil {
			t.Fatalf("read %s: %v", n, err)
		}
		for _, k := range []auditlog.Key{key1, key2} {
			for _, secret := range private(k) {
				if strings.Contains(dump, secret) {
					t.Errorf("table %s holds an audit signing key", n)
				}
			}
		}
		if strings.Contains(dump, "PRIVATE+KEY") {
			t.Errorf("table %s holds a private key", n)
		}
	}
	for _, k := range []auditlog.Key{key1, key2} {
		for _, secret := range private(k) {
			if strings.Contains(logs.String(), secret) {
				t.Error("the server's logs hold an audit signing key")
			}
		}
	}

	// The public results show the decision's reason and every step back.
	pub = testenv.Must(env.Clients(testenv.GRPC, "").Results.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: year}))
	if ds := pub.GetCategories()[0].GetDecisions(); len(ds) != 1 || ds[0].GetReason() != decision {
		t.Errorf("public decisions = %v; want the decision with its reason", ds)
	}
	h := pub.GetHistory()
	if len(h) != 2 || h[1].GetFrom() != v1.Stage_STAGE_TALLIED || h[1].GetReason() == "" || h[1].GetSetAsideTallyHash() == "" || len(h[1].GetSetAsideWinners()) == 0 || h[1].GetOrganiser() == "" {
		t.Errorf("public history = %v; want both moves back, the reopening with its reason, organiser and the winners it set aside", h)
	}
	csv := testenv.Must(env.Clients(testenv.GRPC, "").Results.ExportResults(ctx, &v1.ExportResultsRequest{Year: year, Format: v1.ExportFormat_EXPORT_FORMAT_JSON}))
	if !strings.Contains(string(csv.GetContent()), decision) {
		t.Error("the results export lacks the jury decision's reason")
	}
}

type bundleEntry struct {
	digest    bool
	editionID string
	raw       string
}

func bundleEntries(t *testing.T, b []byte) []bundleEntry {
	t.Helper()
	v, err := canon.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []bundleEntry
	v.Members(func(name string, m canon.Value) bool {
		if name != "log" {
			return true
		}
		m.Elems(func(_ int, e canon.Value) bool {
			var x struct {
				Digest    string `json:"digest"`
				EditionID string `json:"edition_id"`
			}
			_ = json.Unmarshal(e.Raw(), &x)
			out = append(out, bundleEntry{digest: x.Digest != "", editionID: x.EditionID, raw: string(e.Raw())})
			return true
		})
		return false
	})
	return out
}

// TestAggregatesPublishNoBallots: under the aggregates-only setting the log commits to jurors' cities,
// no ballot is published, and the bundle still verifies from the anonymous marks.
func TestAggregatesPublishNoBallots(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	year := int32(2090)
	city := testenv.Must(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Miasto agregatów"})).GetCity()
	e := testenv.Must(org.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: year, Name: "Edycja zbiorcza", BallotPublication: v1.BallotPublication_BALLOT_PUBLICATION_AGGREGATES})).GetEdition()
	testenv.Must(org.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: e.GetId(), Number: 1, NamePl: "Kategoria", NameEn: "Category"}))
	testenv.Must(org.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: e.GetId(), Number: 1, NamePl: "Skuteczność", NameEn: "Effectiveness"}))
	e = testenv.Must(org.Editions.AddEditionCity(ctx, &v1.AddEditionCityRequest{EditionId: e.GetId(), CityId: city.GetId()})).GetEdition()
	home := testenv.CityFor(t, org, e, "Poznań")
	r, noms := env.Shortlisted(t, org, testenv.Connect, e, []*v1.City{home}, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice(fmt.Sprintf("Praktyka %d", i), r.Categories[0], r.Criteria...)}
	})
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: r.ID(), Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
	j := env.NewJuror(t, org, testenv.Connect, r.ID(), home, "agregat@miasta.test", "Juror zbiorczy")
	j2 := env.NewJuror(t, org, testenv.Connect, r.ID(), testenv.CityFor(t, org, e, "Lublin"), "agregat2@miasta.test", "Juror drugi")
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_JURY)
	testenv.CastScores(t, j, r.ID(), testenv.Mark(noms[0][0], r.Criteria[0], 4))
	testenv.CastScores(t, j2, r.ID(), testenv.Mark(noms[0][0], r.Criteria[0], 5), testenv.Mark(noms[1][0], r.Criteria[0], 1))
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_TALLIED)
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_ANNOUNCED)

	bundle := env.Bundle(t, year)
	key, _ := env.App.Audit.LogKey(ctx)
	if g, ts := goVerify(bundle, key), tsVerify(t, bundle, key); g != "ok" || ts != "ok" {
		t.Fatalf("the aggregates bundle: Go %s, TypeScript %s; want both ok", g, ts)
	}
	for _, en := range bundleEntries(t, bundle) {
		if strings.Contains(en.raw, `"invitation.accepted"`) && strings.Contains(en.raw, `"juror"`) && strings.Contains(en.raw, `"city_id"`) {
			t.Errorf("a juror's acceptance names their city under aggregates: %s", en.raw)
		}
	}
	if strings.Contains(string(bundle), `"casts":`) || !strings.Contains(string(bundle), `"marks":`) {
		t.Error("the aggregates bundle must have marks and no casts")
	}
	if _, err := env.Clients(testenv.GRPC, "").Results.ListPublicBallots(ctx, &v1.ListPublicBallotsRequest{Year: year}); testenv.Code(err) != connect.CodeFailedPrecondition {
		t.Errorf("ListPublicBallots under aggregates = %v; want FailedPrecondition", err)
	}
	pub := testenv.Must(env.Clients(testenv.GRPC, "").Results.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: year}))
	for _, c := range pub.GetCategories() {
		for _, n := range c.GetNominations() {
			if len(n.GetJurors()) > 0 {
				t.Errorf("public results show per-juror marks under aggregates: %v", n.GetJurors())
			}
		}
	}
}
