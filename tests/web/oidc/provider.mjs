// A real OpenID Provider for the tests: npm `oidc-provider` (OpenID-certified), on loopback.
//
// Started by tests/web/oidc/provider.py with one argument, a JSON object:
//   {"port": 41234, "redirect_uris": [...], "post_logout_redirect_uris": [...]}
// It prints "listening <issuer>" once it is ready. The login form is the provider's own
// development interaction (any password; the login name picks one of ACCOUNTS below).
import Provider from 'oidc-provider';

const options = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${options.port}`;

// Login name -> claims. Email and groups are what CouncilFlow reads.
const ACCOUNTS = {
  sam: { email: 'sam.officer@sefton.example.gov.uk', email_verified: true, groups: ['cf-officers', 'staff'] },
  vic: { email: 'vic.viewer@sefton.example.gov.uk', email_verified: true, groups: ['staff'] },
  stranger: { email: 'nobody@elsewhere.example.org', email_verified: true, groups: ['cf-officers'] },
};

const configuration = {
  clients: [
    {
      client_id: 'councilflow',
      client_secret: 'councilflow-test-secret',
      redirect_uris: options.redirect_uris,
      post_logout_redirect_uris: options.post_logout_redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  // PKCE for every client (S256 is the only method oidc-provider accepts).
  pkce: { required: () => true, methods: ['S256'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
  scopes: ['openid', 'email', 'groups', 'offline_access'],
  // The ID token carries the claims its scopes ask for (as Entra ID does with groups).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ['councilflow-tests-cookie-key'] },
  async findAccount(ctx, id) {
    const claims = ACCOUNTS[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60, IdToken: 600, AccessToken: 600 },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, err) => console.error('server_error', err));
const server = provider.listen(options.port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
