package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/miasta-otwarte/miasta/internal/auth"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/identity"
	"github.com/miasta-otwarte/miasta/web"
)

// bootTimeout bounds the look-up of a page's caller: past it the page goes without (the app then
// calls GetMe itself) rather than wait.
const bootTimeout = time.Second

// WebBoot is what the web app's page tells the app about its caller (web.Boot): GetMe's answer, in
// the API's JSON, for whoever the request's session signs in, so that the app's first screen does not
// wait a round trip to learn it; and the language of their invitation, so that the page comes with
// that catalogue. A caller who cannot be looked up (the database is slow or down) gets a page
// without it, not a page that says they are signed out.
func WebBoot(authn *auth.Authenticator, users *identity.Store, log *slog.Logger) web.BootFunc {
	me := identity.NewHandler(users)
	return func(r *http.Request) (web.Boot, bool) {
		ctx, cancel := context.WithTimeout(r.Context(), bootTimeout)
		defer cancel()
		p, err := authn.Authenticate(ctx, r.Header)
		if connect.CodeOf(err) == connect.CodeUnauthenticated {
			return web.Boot{}, true // an expired or unknown session: signed out, as GetMe would answer
		}
		if err != nil {
			log.WarnContext(ctx, "page without its caller: could not look them up", "error", err)
			return web.Boot{}, false
		}
		if p == nil {
			return web.Boot{}, true
		}
		res, err := me.GetMe(auth.NewContext(ctx, p), &v1.GetMeRequest{})
		if err != nil {
			log.WarnContext(ctx, "page without its caller: GetMe", "error", err)
			return web.Boot{}, false
		}
		data, err := protojson.Marshal(res)
		if err != nil {
			return web.Boot{}, false
		}
		b := web.Boot{Me: data}
		for _, a := range res.GetMe().GetAssignments() {
			if a.GetLanguage() != "" {
				b.Language = a.GetLanguage()
				break
			}
		}
		return b, true
	}
}
