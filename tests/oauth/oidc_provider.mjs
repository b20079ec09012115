// A real OpenID Connect provider for the tests: npm oidc-provider (certified) with its
// development login pages. Any login name signs in; its email is NAME@example.com, verified.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
  }],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["preferred_username"] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@example.com`, email_verified: true, preferred_username: id };
      },
    };
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
});
provider.listen(port, "127.0.0.1", () => console.log(`ready ${issuer}`));
