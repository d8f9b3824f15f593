package signin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/jackc/pgx/v5"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/miasta-otwarte/miasta/internal/signin/signindb"
)

var errNotFound = errors.New("signin: not found")

// storage is the op.Storage of the provider, in PostgreSQL so that any replica can serve any step of
// a sign-in: the authorization request one replica made is completed and redeemed at another.
type storage struct {
	p *Provider
	q *signindb.Queries
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

func hashAuthCode(code string) []byte {
	sum := sha256.Sum256([]byte(code))
	return sum[:]
}

func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, errNotFound)
	}
	return err
}

// CreateAuthRequest implements op.AuthStorage.
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	for _, f := range []struct{ name, value string }{
		{"state", req.State}, {"nonce", req.Nonce}, {"code_challenge", req.CodeChallenge}, {"redirect_uri", req.RedirectURI},
		{"ui_locales", req.UILocales.String()},
	} {
		if !utf8.ValidString(f.value) || strings.ContainsRune(f.value, 0) || len(f.value) > 2048 {
			return nil, oidc.ErrInvalidRequest().WithDescription("%s is not valid UTF-8 text of at most 2048 bytes", f.name)
		}
	}
	for _, sc := range req.Scopes {
		if !utf8.ValidString(sc) || strings.ContainsRune(sc, 0) || len(sc) > 256 {
			return nil, oidc.ErrInvalidRequest().WithDescription("scope is not valid UTF-8 text")
		}
	}
	id := newID()
	p := signindb.InsertRequestParams{
		ID: id, ClientID: req.ClientID, RedirectUri: req.RedirectURI, Scopes: []string(req.Scopes),
		State: req.State, Nonce: req.Nonce, ResponseType: string(req.ResponseType), ResponseMode: string(req.ResponseMode),
		CodeChallenge: req.CodeChallenge, CodeChallengeMethod: string(req.CodeChallengeMethod),
		UiLocales: req.UILocales.String(), ExpireTime: s.p.now().Add(requestTTL),
	}
	if p.Scopes == nil {
		p.Scopes = []string{}
	}
	if err := s.q.InsertRequest(ctx, s.p.pool, p); err != nil {
		return nil, err
	}
	r, err := s.q.GetRequest(ctx, s.p.pool, id)
	if err != nil {
		return nil, err
	}
	return &authRequest{r}, nil
}

// AuthRequestByID implements op.AuthStorage.
func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.q.GetRequest(ctx, s.p.pool, id)
	if err != nil {
		return nil, notFound(err, "auth request")
	}
	return &authRequest{r}, nil
}

// AuthRequestByCode implements op.AuthStorage. The lookup deletes the request, so a code is
// redeemable at most once even when the first attempt fails (wrong PKCE verifier, wrong secret).
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.q.TakeRequestByAuthCode(ctx, s.p.pool, hashAuthCode(code))
	if err != nil {
		return nil, notFound(err, "code")
	}
	if !r.Done || r.Subject == nil {
		return nil, errors.New("signin: the request has no sign-in")
	}
	return &authRequest{r}, nil
}

// SaveAuthCode implements op.AuthStorage. Only the newest code of a request is valid.
func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	n, err := s.q.SaveAuthCode(ctx, s.p.pool, signindb.SaveAuthCodeParams{ID: id, AuthCodeHash: hashAuthCode(code)})
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("auth request: %w", errNotFound)
	}
	return nil
}

// DeleteAuthRequest implements op.AuthStorage.
func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.q.DeleteRequest(ctx, s.p.pool, id)
}

// CreateAccessToken implements op.AuthStorage; the library wraps the ID into an opaque bearer token.
func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	ar, ok := req.(*authRequest)
	if !ok {
		return "", time.Time{}, fmt.Errorf("signin: unsupported token request %T", req)
	}
	id, exp := newID(), s.p.now().Add(s.p.tokenTTL)
	err := s.q.InsertToken(ctx, s.p.pool, signindb.InsertTokenParams{
		ID: id, Subject: ar.GetSubject(), ClientID: ar.ClientID, Scopes: ar.GetScopes(), ExpireTime: exp,
	})
	return id, exp, err
}

// CreateAccessAndRefreshTokens implements op.AuthStorage. Refresh tokens are not offered.
func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("refresh tokens are not supported")
}

// TokenRequestByRefreshToken implements op.AuthStorage. Refresh tokens are not offered.
func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// TerminateSession implements op.AuthStorage: the provider keeps no login session of its own (every
// sign-in asks for a new code), so ending one revokes the person's access tokens.
func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	return s.q.DeleteSubjectTokens(ctx, s.p.pool, signindb.DeleteSubjectTokensParams{Subject: userID, ClientID: clientID})
}

// RevokeToken implements op.AuthStorage.
func (s *storage) RevokeToken(ctx context.Context, tokenID, _, clientID string) *oidc.Error {
	t, err := s.q.GetToken(ctx, s.p.pool, tokenID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // RFC 7009: unknown tokens are not an error
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if t.ClientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
	}
	if err := s.q.DeleteToken(ctx, s.p.pool, tokenID); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// GetRefreshTokenInfo implements op.AuthStorage. Refresh tokens are not offered.
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// SigningKey implements op.AuthStorage.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.p.key, nil }

// SignatureAlgorithms implements op.AuthStorage.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet implements op.AuthStorage: the public half of the signing key, at the jwks endpoint.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{s.p.key.Public()}, nil
}

// GetClientByClientID implements op.OPStorage: the platform is the one client.
func (s *storage) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	if clientID != s.p.client.ID {
		return nil, fmt.Errorf("client %q: %w", clientID, errNotFound)
	}
	return s.p.client, nil
}

// AuthorizeClientIDSecret implements op.OPStorage.
func (s *storage) AuthorizeClientIDSecret(_ context.Context, clientID, clientSecret string) error {
	if clientID != s.p.client.ID || subtle.ConstantTimeCompare([]byte(s.p.client.Secret), []byte(clientSecret)) != 1 {
		return errors.New("signin: wrong client or client secret")
	}
	return nil
}

// SetUserinfoFromScopes implements op.OPStorage; deprecated by the library for SetUserinfoFromRequest.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest implements op.CanSetUserinfoFromRequest: the claims of the ID token.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.setUserinfo(ctx, info, req.GetSubject(), scopes)
}

// SetUserinfoFromToken implements op.OPStorage: the claims of the userinfo endpoint.
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.q.GetToken(ctx, s.p.pool, tokenID)
	if err != nil {
		return notFound(err, "access token")
	}
	if t.Subject != subject {
		return errors.New("signin: token subject mismatch")
	}
	return s.setUserinfo(ctx, info, t.Subject, t.Scopes)
}

// SetIntrospectionFromToken implements op.OPStorage.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.q.GetToken(ctx, s.p.pool, tokenID)
	if err != nil {
		return notFound(err, "access token")
	}
	if t.Subject != subject || t.ClientID != clientID {
		return errors.New("signin: token was not issued to this client")
	}
	info := new(oidc.UserInfo)
	if err := s.setUserinfo(ctx, info, t.Subject, t.Scopes); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	resp.Scope = t.Scopes
	resp.ClientID = t.ClientID
	resp.Expiration = oidc.FromTime(t.ExpireTime)
	return nil
}

// GetPrivateClaimsFromScopes implements op.OPStorage. No private claims are added.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID implements op.OPStorage. JWT profile client authentication is not offered.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("signin: JWT profile is not supported")
}

// ValidateJWTProfileScopes implements op.OPStorage. JWT profile grants are not offered.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("signin: JWT profile is not supported")
}

// Health implements op.Storage.
func (s *storage) Health(ctx context.Context) error { return s.p.pool.Ping(ctx) }

// setUserinfo fills the claims the scopes grant: the address the code went to, always verified
// (that is what the code proved). Names are not known to this provider; the platform has them.
func (s *storage) setUserinfo(ctx context.Context, info *oidc.UserInfo, subject string, scopes []string) error {
	a, err := s.q.GetAccount(ctx, s.p.pool, subject)
	if err != nil {
		return notFound(err, "account")
	}
	info.Subject = a.Subject
	for _, scope := range scopes {
		if scope == oidc.ScopeEmail {
			info.Email = a.Email
			info.EmailVerified = oidc.Bool(true)
		}
	}
	return nil
}

// authRequest implements op.AuthRequest over a stored row.
type authRequest struct{ signindb.SigninRequest }

func (a *authRequest) GetID() string         { return a.ID }
func (a *authRequest) GetACR() string        { return "" }
func (a *authRequest) GetAMR() []string      { return []string{"otp"} } // RFC 8176: one-time password
func (a *authRequest) GetAudience() []string { return []string{a.ClientID} }
func (a *authRequest) GetAuthTime() time.Time {
	if a.AuthTime == nil {
		return time.Time{}
	}
	return *a.AuthTime
}
func (a *authRequest) GetClientID() string { return a.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.CodeChallenge, Method: oidc.CodeChallengeMethod(a.CodeChallengeMethod)}
}
func (a *authRequest) GetNonce() string                   { return a.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.RedirectUri }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseType(a.ResponseType) }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseMode(a.ResponseMode) }
func (a *authRequest) GetScopes() []string                { return a.Scopes }
func (a *authRequest) GetState() string                   { return a.State }
func (a *authRequest) Done() bool                         { return a.SigninRequest.Done }
func (a *authRequest) GetSubject() string {
	if a.Subject == nil {
		return ""
	}
	return *a.Subject
}
