package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

var bootRe = regexp.MustCompile(`<script type="application/json" id="miasta-boot">(.*?)</script>`)

// The web app's page says who is signed in, as GetMe would (the app then does not ask before its
// first screen): the session's user, or nobody for no session or a session that is not one.
func TestPageSaysWhoIsSignedIn(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	bootOf := func(c *http.Client, req *http.Request) map[string]any {
		t.Helper()
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		m := bootRe.FindSubmatch(page)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("GET %s: %d, no boot data:\n%s", req.URL, resp.StatusCode, page)
		}
		var b map[string]any
		if err := json.Unmarshal(m[1], &b); err != nil {
			t.Fatalf("boot data %s: %v", m[1], err)
		}
		return b
	}
	get := func(path string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, env.URL+path, nil)
		return req
	}

	client, _, _ := browserLogin(t, env, "/", demo.OrganiserEmail)
	// A page that exists whatever the database holds (/results/2015 answers 404 until 2015 is announced).
	b := bootOf(client, get("/results"))
	me, _ := b["me"].(map[string]any)["me"].(map[string]any)
	if me["organiser"] != true || me["user"].(map[string]any)["email"] != demo.OrganiserEmail {
		t.Errorf("signed in as the organiser, the page says %v", b)
	}

	if b := bootOf(http.DefaultClient, get("/")); b["me"] != nil {
		t.Errorf("no session: the page says %v; want me null", b)
	}
	stale := get("/")
	stale.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: "not-a-session"})
	if b := bootOf(http.DefaultClient, stale); b["me"] != nil {
		t.Errorf("a session that is not one: the page says %v; want me null", b)
	}
}
