// A second OpenID provider for the sign-in tests, independent of this project's code: npm
// oidc-provider (OpenID Certified), on 127.0.0.1 at a free port, with one confidential client for the
// platform under test. Its development login form takes any login, which becomes the account: its
// subject, and its e-mail address (claimed verified).
//
//   node serve.mjs CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// prints {"issuer": "http://127.0.0.1:PORT"} on one line once it serves, and serves until killed or
// until its standard input closes (so that a test which dies does not leave it running).
import http from "node:http";
import Provider from "oidc-provider";

const [clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!redirectUri) {
  console.error("usage: node serve.mjs CLIENT_ID CLIENT_SECRET REDIRECT_URI");
  process.exit(2);
}

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // The ID token carries the scopes' claims, as the platform reads them there (not from userinfo).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["second-provider-test-cookie-key"] },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: id, email_verified: true, name: "Second " + id };
        },
      };
    },
  });
  provider.on("server_error", (ctx, err) => console.error("server_error", err));
  server.on("request", provider.callback());
  console.log(JSON.stringify({ issuer }));
});

process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
