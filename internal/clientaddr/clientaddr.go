// Package clientaddr finds the address of the client behind a request: the connection's peer, or,
// when that peer is one of the reverse proxies the server is told to trust, the address the proxies
// recorded in X-Forwarded-For or Forwarded (RFC 7239). A header from any other peer is ignored, so
// that a client reaching the server directly cannot choose the address it is logged and limited
// under.
package clientaddr

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/realclientip/realclientip-go"
)

// The headers a proxy can record the client in.
const (
	XForwardedFor = "X-Forwarded-For"
	Forwarded     = "Forwarded"
)

// Resolver finds a request's client address.
type Resolver struct {
	trusted []netip.Prefix
	// fromHeader walks the header from the right, past the trusted proxies, to the first address
	// that is not one: the client as the outermost trusted proxy saw it.
	fromHeader realclientip.Strategy
}

// New returns a resolver that believes header (XForwardedFor or Forwarded) when the direct peer is in
// one of trusted; with no trusted prefixes it always answers the peer.
func New(trusted []netip.Prefix, header string) (*Resolver, error) {
	r := &Resolver{trusted: trusted}
	if len(trusted) == 0 {
		return r, nil
	}
	if header != XForwardedFor && header != Forwarded {
		return nil, fmt.Errorf("the proxy header must be %s or %s, not %q", XForwardedFor, Forwarded, header)
	}
	ranges := make([]string, len(trusted))
	for i, p := range trusted {
		ranges[i] = p.String()
	}
	nets, err := realclientip.AddressesAndRangesToIPNets(ranges...)
	if err != nil {
		return nil, err
	}
	if r.fromHeader, err = realclientip.NewRightmostTrustedRangeStrategy(header, nets); err != nil {
		return nil, err
	}
	return r, nil
}

// ParsePrefixes parses a comma-separated list of CIDR prefixes and single addresses (a single
// address is the prefix of just itself).
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix like 10.0.0.0/8", s)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR prefix like 10.0.0.0/8: %w", s, err)
		}
		if p != p.Masked() {
			return nil, fmt.Errorf("%q has bits set past its prefix length: did you mean %s?", s, p.Masked())
		}
		out = append(out, p)
	}
	return out, nil
}

// Addr returns the client address of r: its peer, or what the trusted proxies recorded when the
// peer is one of them and the header names a client. It is the zero Addr only for a peer that is no
// IP address (a Unix socket).
func (res *Resolver) Addr(r *http.Request) netip.Addr {
	peer := peerAddr(r.RemoteAddr)
	if res.fromHeader == nil || !peer.IsValid() || !res.isTrusted(peer) {
		return peer
	}
	if s := res.fromHeader.ClientIP(r.Header, r.RemoteAddr); s != "" {
		if a, err := netip.ParseAddr(s); err == nil {
			return a.WithZone("").Unmap()
		}
	}
	// No header, or only trusted proxies in it: the request came from the proxies themselves (a
	// health check), so the peer is the client.
	return peer
}

func (res *Resolver) isTrusted(a netip.Addr) bool {
	for _, p := range res.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.WithZone("").Unmap()
}

type ctxKey struct{}

// Handler records each request's client address in its context, for FromContext.
func (res *Resolver) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, res.Addr(r))))
	})
}

// FromContext returns the client address Handler recorded (the zero Addr outside it).
func FromContext(ctx context.Context) netip.Addr {
	a, _ := ctx.Value(ctxKey{}).(netip.Addr)
	return a
}
