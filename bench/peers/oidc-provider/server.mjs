// node-oidc-provider set up to do the work of Gatehouse's benchmark clients (bench/run): client_credentials with
// scope "api", audience urn:bench:api, one-hour access tokens, opaque for one client and an ES256 JWT for the other,
// introspection (RFC 7662) and revocation (RFC 7009). Started by bench/peers/oidc-provider/start.
//
//   node server.mjs PORT CLIENT_SECRET
//
// Clients: bench-opaque and bench-jwt, both with CLIENT_SECRET over HTTP Basic. Tokens live in process memory until they
// expire (map-adapter.mjs): no store round trip, unlike Gatehouse's SQLite row per opaque token.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
import MapAdapter from './map-adapter.mjs';

const [port, secret] = process.argv.slice(2);
if (!/^[0-9]+$/.test(port ?? '') || !secret) {
  console.error('usage: node server.mjs PORT CLIENT_SECRET');
  process.exit(2);
}

const audience = 'urn:bench:api';
const lifetime = 3600;
const issuer = `http://127.0.0.1:${port}`;
const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
const client = (id) => ({
  client_id: id,
  client_secret: secret,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'api',
  id_token_signed_response_alg: 'ES256', // the only key is ES256
});

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients: [client('bench-opaque'), client('bench-jwt')],
  jwks: { keys: [{ ...signingKey, alg: 'ES256', use: 'sig', kid: 'bench' }] },
  scopes: ['api'],
  ttl: { ClientCredentials: lifetime },
  extraTokenClaims: async () => ({ tenant: 'bench' }),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // Any authenticated client may introspect and revoke its own tokens: the defaults, made explicit.
    introspection: { enabled: true, allowedPolicy: async (ctx, caller, token) => token.clientId === caller.clientId },
    revocation: { enabled: true, allowedPolicy: async (ctx, caller, token) => token.clientId === caller.clientId },
    // The audience and the token format come from the resource server (RFC 8707); every token is for urn:bench:api.
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => audience,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, resource, caller) => {
        if (resource !== audience) throw new Error(`unknown resource ${resource}`);
        return {
          scope: 'api',
          audience,
          accessTokenTTL: lifetime,
          accessTokenFormat: caller.clientId === 'bench-jwt' ? 'jwt' : 'opaque',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
});
provider.proxy = false;

provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
// Nothing to flush: stop at once (closing the server gracefully would wait for idle keep-alive connections).
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
