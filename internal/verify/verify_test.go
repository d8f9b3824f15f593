package verify_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/app"
	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// announcedDemo runs the whole demo edition to the announcement and returns the environment and one
// juror's receipt. With twoServers, a second server on the same database serves half the jurors, and
// both run the log integrator.
func announcedDemo(t *testing.T, twoServers bool) (*testenv.Env, string) {
	t.Helper()
	ctx := context.Background()
	env := testenv.Start(t, testenv.Options{})
	secondURL := env.URL
	if twoServers {
		secondURL = startSecondServer(t, env)
	}
	org := demo.People[0]
	p, err := env.App.Identity.SignIn(ctx, auth.Claims{Issuer: env.Issuer, Subject: testenv.Subject(org.Email), Email: org.Email, EmailVerified: true, Name: org.Name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, env.App.Editions, env.App.Identity, p, time.Now()); err != nil {
		t.Fatal(err)
	}
	clients := map[string]demo.Clients{}
	for i, person := range demo.People {
		url := env.URL
		if person.Role == "juror" && i%2 == 0 {
			url = secondURL
		}
		clients[person.Email] = demo.NewClients(http.DefaultClient, url, env.Token(t, person.Email))
	}
	if _, err := demo.Walk(ctx, clients, io.Discard); err != nil {
		t.Fatal(err)
	}
	juror := clients["juror.lublin@miasta.test"]
	e := mustEdition(t, clients[org.Email])
	b, err := juror.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: e})
	if err != nil {
		t.Fatal(err)
	}
	return env, b.GetBallot().GetLastCast().GetReceipt().GetBallotHash()
}

func startSecondServer(t *testing.T, env *testenv.Env) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	second, err := app.New(ctx, env.Config, slog.New(slog.DiscardHandler), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- second.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done; second.Close() })
	return "http://" + ln.Addr().String()
}

func mustEdition(t *testing.T, c demo.Clients) string {
	list, err := c.Editions.ListEditions(context.Background(), &v1.ListEditionsRequest{})
	if err != nil || len(list.GetEditions()) == 0 {
		t.Fatalf("ListEditions = %v, %v", list, err)
	}
	return list.GetEditions()[0].GetId()
}

func export(t *testing.T, env *testenv.Env) verify.Bundle {
	t.Helper()
	b, err := verify.Export(context.Background(), env.App.Pool, env.App.Audit, env.App.Jury, demo.Year)
	if err != nil {
		t.Fatal(err)
	}
	data, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := verify.Parse(data) // what a checker reads is the file, not the struct
	if err != nil {
		t.Fatal(err)
	}
	return parsed
}

// clone deep-copies a bundle so each mutation starts from the original.
func clone(b verify.Bundle) verify.Bundle {
	c := b
	cp := func(in [][]byte) [][]byte {
		out := make([][]byte, len(in))
		for i, x := range in {
			out[i] = append([]byte(nil), x...)
		}
		return out
	}
	c.Leaves, c.Casts = cp(b.Leaves), cp(b.Casts)
	c.Checkpoints = append([]string(nil), b.Checkpoints...)
	c.Rule, c.Results = append([]byte(nil), b.Rule...), append([]byte(nil), b.Results...)
	return c
}

// flip changes one byte in the middle of a JSON value so the document still parses where possible.
func flip(b []byte, marker string) {
	i := strings.Index(string(b), marker)
	if i < 0 {
		i = len(b) / 2
	} else {
		i += len(marker)
	}
	if b[i] == '1' {
		b[i] = '2'
	} else {
		b[i] = '1'
	}
}

func TestVerifyRealBundleAndDetectEveryMutation(t *testing.T) {
	env, receipt := announcedDemo(t, false)
	b := export(t, env)
	sum, err := verify.Verify(b, "", receipt)
	if err != nil {
		t.Fatalf("the genuine bundle fails: %v", err)
	}
	if !sum.Tallied || sum.Ballots != 5 || sum.Winners < 11 || !strings.Contains(sum.Receipt, "counted") {
		t.Fatalf("summary %q; want 5 ballots re-tallied, at least 11 winners and the receipt counted", sum)
	}
	_, otherKey, _ := auditlog.NewKey()
	castLeaf := -1
	for i, l := range b.Leaves {
		if strings.Contains(string(l), `"kind":"ballot.cast"`) {
			castLeaf = i
		}
	}
	mutations := []struct {
		name   string
		mutate func(*verify.Bundle)
		key    string
		want   string
	}{
		{"flip a byte of an event", func(b *verify.Bundle) { flip(b.Leaves[castLeaf], `"version":`) }, "", "do not rebuild checkpoint"},
		{"flip a byte of the first event", func(b *verify.Bundle) { flip(b.Leaves[0], `"id":`) }, "", "among leaves 0–"},
		{"drop an event", func(b *verify.Bundle) { b.Leaves = append(b.Leaves[:castLeaf], b.Leaves[castLeaf+1:]...) }, "", "leaves"},
		{"reorder two events", func(b *verify.Bundle) { b.Leaves[1], b.Leaves[2] = b.Leaves[2], b.Leaves[1] }, "", "do not rebuild checkpoint"},
		{"add an event", func(b *verify.Bundle) { b.Leaves = append(b.Leaves, b.Leaves[0]) }, "", "leaves were added"},
		{"flip a byte of a ballot", func(b *verify.Bundle) { flip(b.Casts[0], `"value":`) }, "", "content is missing from the bundle or was altered"},
		{"drop a ballot", func(b *verify.Bundle) { b.Casts = b.Casts[1:] }, "", "ballot cast"},
		{"flip a byte of the results", func(b *verify.Bundle) { flip(b.Results, `"score":"`) }, "", "results: category"},
		{"flip a byte of the rule", func(b *verify.Bundle) { flip(b.Rule, `"weight":`) }, "", "rule:"},
		{"flip a byte of a checkpoint's signature", func(b *verify.Bundle) {
			n := b.Checkpoints[len(b.Checkpoints)-1]
			b.Checkpoints[len(b.Checkpoints)-1] = n[:len(n)-5] + "AAAA\n"
		}, "", "checkpoint"},
		{"flip the size in a checkpoint", func(b *verify.Bundle) {
			b.Checkpoints[0] = strings.Replace(b.Checkpoints[0], "\n", "\n1", 1)
		}, "", "checkpoint 1"},
		{"swap the key", func(b *verify.Bundle) {}, otherKey, "checkpoint 1"},
		{"swap the key inside the bundle", func(b *verify.Bundle) { b.VerifierKey = otherKey }, "", "checkpoint 1"},
	}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			bad := clone(b)
			m.mutate(&bad)
			_, err := verify.Verify(bad, m.key, "")
			if err == nil {
				t.Fatal("the mutation was not detected")
			}
			if !strings.Contains(err.Error(), m.want) {
				t.Fatalf("error %q does not say %q", err, m.want)
			}
			t.Logf("detected: %v", err)
		})
	}
	if _, err := verify.Verify(b, "", "sha256:"+strings.Repeat("0", 64)); err == nil || !strings.Contains(err.Error(), "no cast") {
		t.Fatalf("an unknown receipt = %v; want it refused", err)
	}
}

// A superuser who switches the triggers off and rewrites history is caught by the next export.
func TestVerifyCatchesHistoryRewrittenInTheDatabase(t *testing.T) {
	env, _ := announcedDemo(t, false)
	ctx := context.Background()
	if _, err := verify.Verify(export(t, env), "", ""); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dbtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	testDB, _ := url.Parse(env.Config.DatabaseURL)
	u.Path = testDB.Path
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SET session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	tag, err := conn.Exec(ctx, `UPDATE events SET payload = jsonb_set(payload, '{ballot_sha256}', '"sha256:forged"')
		WHERE id = (SELECT min(id) FROM events WHERE kind = 'ballot.cast')`)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("rewriting history as a superuser: %v, %v", tag, err)
	}
	_, err = verify.Verify(export(t, env), "", "")
	if err == nil || !strings.Contains(err.Error(), "do not rebuild checkpoint") {
		t.Fatalf("verify after the rewrite = %v; want the leaves not to rebuild a signed checkpoint", err)
	}
}

// Two servers on one database take ballots, both integrating the log: one log, and it verifies.
func TestTwoServersCastIntoOneVerifiableLog(t *testing.T) {
	env, receipt := announcedDemo(t, true)
	sum, err := verify.Verify(export(t, env), "", receipt)
	if err != nil {
		t.Fatalf("the bundle from two servers fails: %v", err)
	}
	if sum.Ballots != 5 || !strings.Contains(sum.Receipt, "counted") {
		t.Fatalf("summary %q; want all 5 ballots counted", sum)
	}
	var leaves, first, last int64
	if err := env.App.Pool.QueryRow(context.Background(), `SELECT count(*), min(leaf_index), max(leaf_index) FROM log_leaves`).Scan(&leaves, &first, &last); err != nil {
		t.Fatal(err)
	}
	if first != 0 || last != leaves-1 {
		t.Fatalf("leaf indexes %d..%d for %d leaves; want contiguous from 0", first, last, leaves)
	}
}

// FuzzParse feeds arbitrary bytes to the bundle parser and verifier: errors, never panics.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"format":"miasta-audit-bundle/1","leaves":["bWlhc3Rh"],"checkpoints":["x"]}`))
	f.Add([]byte(`{"format":"miasta-audit-bundle/1"}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := verify.Parse(data)
		if err != nil {
			return
		}
		_, _ = verify.Verify(b, "", "")
	})
}
