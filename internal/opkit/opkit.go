// Package opkit holds what the platform's two OpenID providers built on github.com/zitadel/oidc/v3/pkg/op
// share: the one kind of client they serve and their RS256 signing key. The development provider
// (internal/devidp) keeps its state in memory, the built-in e-mail sign-in (internal/signin) in
// PostgreSQL; their clients and keys are the same.
package opkit

import (
	"crypto/rsa"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Client implements op.Client: a confidential web client limited to the authorization code flow.
type Client struct {
	ID        string
	Secret    string
	Redirects []string
	// PostLogoutURIs are where the client may return after logout.
	PostLogoutURIs []string
	// LoginPage is the absolute URL of the provider's login page, without a query.
	LoginPage  string
	IDTokenTTL time.Duration
	// AllowHTTP allows plain-http redirect URIs (development and tests on 127.0.0.1).
	AllowHTTP bool
}

var _ op.Client = (*Client)(nil)

func (c *Client) GetID() string                       { return c.ID }
func (c *Client) RedirectURIs() []string              { return c.Redirects }
func (c *Client) PostLogoutRedirectURIs() []string    { return c.PostLogoutURIs }
func (c *Client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }

// AuthMethod is basic; the library also accepts the secret in the form body when
// op.Config.AuthMethodPost is set.
func (c *Client) AuthMethod() oidc.AuthMethod { return oidc.AuthMethodBasic }
func (c *Client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *Client) GrantTypes() []oidc.GrantType        { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *Client) LoginURL(id string) string           { return c.LoginPage + "?authRequestID=" + id }
func (c *Client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c *Client) IDTokenLifetime() time.Duration      { return c.IDTokenTTL }
func (c *Client) DevMode() bool                       { return c.AllowHTTP }
func (c *Client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}
func (c *Client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}
func (c *Client) IsScopeAllowed(string) bool { return false }

// IDTokenUserinfoClaimsAssertion puts the e-mail and name claims into the ID token, though an access
// token is issued too: the platform reads them from the ID token alone.
func (c *Client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *Client) ClockSkew() time.Duration             { return 0 }

// SigningKey implements op.SigningKey.
type SigningKey struct {
	KeyID   string
	Private *rsa.PrivateKey
}

func (k *SigningKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *SigningKey) Key() any                                    { return k.Private }
func (k *SigningKey) ID() string                                  { return k.KeyID }

// Public is the key's public half, as op.Key for the provider's JWKS.
func (k *SigningKey) Public() op.Key { return publicKey{k} }

type publicKey struct{ k *SigningKey }

func (p publicKey) ID() string                         { return p.k.KeyID }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.Private.PublicKey }
