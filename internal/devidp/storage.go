package devidp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/miasta-otwarte/miasta/internal/opkit"
)

// authRequestTTL bounds how long an authorization request, and the code issued for it, stays usable.
const authRequestTTL = 10 * time.Minute

var (
	errNotFound = errors.New("devidp: not found")
	errExpired  = errors.New("devidp: expired")
)

// newID returns a random identifier (base32, so never containing ':' which the opaque token format reserves).
func newID() string { return rand.Text() }

// storage is the in-memory op.Storage behind the provider. One mutex guards everything; values handed to the
// op library are copies, so the library never reads memory that a later call mutates.
type storage struct {
	mu           sync.Mutex
	now          func() time.Time
	users        map[string]User
	userOrder    []string // subjects in registration order, for the login page
	clients      map[string]*opkit.Client
	authRequests map[string]*authRequest
	codes        map[string]string // code -> auth request ID
	tokens       map[string]*accessToken
	tokenTTL     time.Duration
	key          *opkit.SigningKey
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

func newStorage(key *opkit.SigningKey, tokenTTL time.Duration) *storage {
	return &storage{
		now:          time.Now,
		users:        make(map[string]User),
		clients:      make(map[string]*opkit.Client),
		authRequests: make(map[string]*authRequest),
		codes:        make(map[string]string),
		tokens:       make(map[string]*accessToken),
		tokenTTL:     tokenTTL,
		key:          key,
	}
}

// putUser adds or replaces the user with u.Subject.
func (s *storage) putUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[u.Subject]; !ok {
		s.userOrder = append(s.userOrder, u.Subject)
	}
	s.users[u.Subject] = u
}

func (s *storage) user(subject string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[subject]
	return u, ok
}

func (s *storage) listUsers() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.userOrder))
	for _, sub := range s.userOrder {
		out = append(out, s.users[sub])
	}
	return out
}

// sweepLocked drops expired auth requests, codes and tokens. Callers hold s.mu.
func (s *storage) sweepLocked(now time.Time) {
	for id, ar := range s.authRequests {
		if ar.expired(now) {
			delete(s.authRequests, id)
		}
	}
	for code, id := range s.codes {
		if _, ok := s.authRequests[id]; !ok {
			delete(s.codes, code)
		}
	}
	for id, t := range s.tokens {
		if !now.Before(t.expiration) {
			delete(s.tokens, id)
		}
	}
}

// liveAuthRequestLocked returns the stored auth request if it exists and has not expired. Callers hold s.mu.
func (s *storage) liveAuthRequestLocked(id string) (*authRequest, error) {
	ar, ok := s.authRequests[id]
	if !ok {
		return nil, fmt.Errorf("auth request %q: %w", id, errNotFound)
	}
	if ar.expired(s.now()) {
		delete(s.authRequests, id)
		return nil, fmt.Errorf("auth request %q: %w", id, errExpired)
	}
	return ar, nil
}

// pendingAuthRequest returns a copy of an auth request that still waits for a login.
func (s *storage) pendingAuthRequest(id string) (authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, err := s.liveAuthRequestLocked(id)
	if err != nil {
		return authRequest{}, err
	}
	if ar.done {
		return authRequest{}, fmt.Errorf("auth request %q is already completed", id)
	}
	return *ar, nil
}

// completeLogin marks the auth request as authenticated by the user with subject.
func (s *storage) completeLogin(id, subject string) (authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[subject]; !ok {
		return authRequest{}, fmt.Errorf("user %q: %w", subject, errNotFound)
	}
	ar, err := s.liveAuthRequestLocked(id)
	if err != nil {
		return authRequest{}, err
	}
	if ar.done {
		return authRequest{}, fmt.Errorf("auth request %q is already completed", id)
	}
	ar.subject = subject
	ar.authTime = s.now()
	ar.done = true
	return *ar, nil
}

// CreateAuthRequest implements op.AuthStorage.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	id := newID()
	now := s.now()
	ar := &authRequest{
		id:           id,
		createdAt:    now,
		clientID:     req.ClientID,
		redirectURI:  req.RedirectURI,
		scopes:       slices.Clone([]string(req.Scopes)),
		state:        req.State,
		nonce:        req.Nonce,
		responseType: req.ResponseType,
		responseMode: req.ResponseMode,
	}
	if req.CodeChallenge != "" {
		ar.codeChallenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(now)
	s.authRequests[id] = ar
	cp := *ar
	return &cp, nil
}

// AuthRequestByID implements op.AuthStorage.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, err := s.liveAuthRequestLocked(id)
	if err != nil {
		return nil, err
	}
	cp := *ar
	return &cp, nil
}

// AuthRequestByCode implements op.AuthStorage. The code is consumed by the lookup itself, so a code is
// redeemable at most once even when the first attempt fails (wrong PKCE verifier, wrong client secret).
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.codes[code]
	if !ok {
		return nil, fmt.Errorf("code: %w", errNotFound)
	}
	delete(s.codes, code)
	ar, err := s.liveAuthRequestLocked(id)
	if err != nil {
		return nil, err
	}
	// The request cannot be redeemed again through another code either.
	delete(s.authRequests, id)
	if !ar.done {
		return nil, fmt.Errorf("auth request %q has no login", id)
	}
	cp := *ar
	return &cp, nil
}

// SaveAuthCode implements op.AuthStorage. Only the newest code of an auth request is valid.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.liveAuthRequestLocked(id); err != nil {
		return err
	}
	for c, reqID := range s.codes {
		if reqID == id {
			delete(s.codes, c)
		}
	}
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest implements op.AuthStorage.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.authRequests, id)
	for c, reqID := range s.codes {
		if reqID == id {
			delete(s.codes, c)
		}
	}
	return nil
}

// CreateAccessToken implements op.AuthStorage; the library wraps the returned ID into an opaque bearer token.
func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	ar, ok := req.(*authRequest)
	if !ok {
		return "", time.Time{}, fmt.Errorf("devidp: unsupported token request %T", req)
	}
	now := s.now()
	t := &accessToken{
		id:         newID(),
		subject:    ar.subject,
		clientID:   ar.clientID,
		scopes:     slices.Clone(ar.scopes),
		expiration: now.Add(s.tokenTTL),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[t.id] = t
	return t.id, t.expiration, nil
}

// CreateAccessAndRefreshTokens implements op.AuthStorage. Refresh tokens are not offered.
func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("refresh tokens are not supported")
}

// TokenRequestByRefreshToken implements op.AuthStorage. Refresh tokens are not offered.
func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// TerminateSession implements op.AuthStorage: the provider keeps no login session, so ending one revokes the
// user's access tokens for the client.
func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.subject == userID && (clientID == "" || t.clientID == clientID) {
			delete(s.tokens, id)
		}
	}
	return nil
}

// RevokeToken implements op.AuthStorage.
func (s *storage) RevokeToken(_ context.Context, tokenID, _, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tokenID]
	if !ok {
		return nil // RFC 7009: unknown tokens are not an error
	}
	if t.clientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
	}
	delete(s.tokens, tokenID)
	return nil
}

// GetRefreshTokenInfo implements op.AuthStorage. Refresh tokens are not offered.
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// SigningKey implements op.AuthStorage.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }

// SignatureAlgorithms implements op.AuthStorage.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet implements op.AuthStorage: the public half of the signing key, published at the jwks endpoint.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{s.key.Public()}, nil
}

// GetClientByClientID implements op.OPStorage.
func (s *storage) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[clientID]
	if !ok {
		return nil, fmt.Errorf("client %q: %w", clientID, errNotFound)
	}
	return c, nil
}

// AuthorizeClientIDSecret implements op.OPStorage.
func (s *storage) AuthorizeClientIDSecret(_ context.Context, clientID, clientSecret string) error {
	s.mu.Lock()
	c, ok := s.clients[clientID]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("client %q: %w", clientID, errNotFound)
	}
	if subtle.ConstantTimeCompare([]byte(c.Secret), []byte(clientSecret)) != 1 {
		return errors.New("devidp: wrong client secret")
	}
	return nil
}

// SetUserinfoFromScopes implements op.OPStorage; deprecated by the library in favour of SetUserinfoFromRequest.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest implements op.CanSetUserinfoFromRequest: the user claims of the ID token.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.setUserinfo(info, req.GetSubject(), scopes)
}

// SetUserinfoFromToken implements op.OPStorage: the claims of the userinfo endpoint.
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.liveToken(tokenID)
	if err != nil {
		return err
	}
	if t.subject != subject {
		return errors.New("devidp: token subject mismatch")
	}
	return s.setUserinfo(info, t.subject, t.scopes)
}

// SetIntrospectionFromToken implements op.OPStorage.
func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.liveToken(tokenID)
	if err != nil {
		return err
	}
	if t.subject != subject || t.clientID != clientID {
		return errors.New("devidp: token was not issued to this client")
	}
	info := new(oidc.UserInfo)
	if err := s.setUserinfo(info, t.subject, t.scopes); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	resp.Scope = t.scopes
	resp.ClientID = t.clientID
	resp.Expiration = oidc.FromTime(t.expiration)
	return nil
}

// GetPrivateClaimsFromScopes implements op.OPStorage. No private claims are added.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID implements op.OPStorage. JWT profile client authentication is not offered.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("devidp: JWT profile is not supported")
}

// ValidateJWTProfileScopes implements op.OPStorage. JWT profile grants are not offered.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("devidp: JWT profile is not supported")
}

// Health implements op.Storage.
func (s *storage) Health(context.Context) error { return nil }

func (s *storage) liveToken(id string) (accessToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok {
		return accessToken{}, fmt.Errorf("access token: %w", errNotFound)
	}
	if !s.now().Before(t.expiration) {
		delete(s.tokens, id)
		return accessToken{}, fmt.Errorf("access token: %w", errExpired)
	}
	return *t, nil
}

// setUserinfo fills the standard claims the scopes grant. email_verified is also put into the extra claims
// because the library's struct field is omitempty and would drop an explicit false.
func (s *storage) setUserinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	u, ok := s.user(subject)
	if !ok {
		return fmt.Errorf("user %q: %w", subject, errNotFound)
	}
	info.Subject = u.Subject
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeEmail:
			if u.Email == "" {
				continue
			}
			info.Email = u.Email
			info.EmailVerified = oidc.Bool(u.EmailVerified)
			info.AppendClaims("email_verified", u.EmailVerified)
		case oidc.ScopeProfile:
			info.Name = u.Name
		}
	}
	return nil
}

// authRequest implements op.AuthRequest.
type authRequest struct {
	id            string
	createdAt     time.Time
	clientID      string
	redirectURI   string
	scopes        []string
	state         string
	nonce         string
	responseType  oidc.ResponseType
	responseMode  oidc.ResponseMode
	codeChallenge *oidc.CodeChallenge

	subject  string
	authTime time.Time
	done     bool
}

func (a *authRequest) expired(now time.Time) bool { return now.Sub(a.createdAt) >= authRequestTTL }

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return nil }
func (a *authRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.codeChallenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

// accessToken is what an opaque bearer token stands for.
type accessToken struct {
	id         string
	subject    string
	clientID   string
	scopes     []string
	expiration time.Time
}
