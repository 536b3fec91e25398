// A tiny token server for docker-registry's `auth: token` mode (the Docker
// Registry v2 token authentication spec): GET /token?service=S&scope=...
// with optional Basic credentials answers a JWT signed RS256 whose x5c
// header carries the signing certificate, which the registry trusts through
// its `rootcertbundle`.
import fs from 'node:fs';
import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** Token requests seen, with the scopes asked and who asked. */
  requests: Array<{ scopes: string[]; user: string | null }>;
  close(): Promise<void>;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export async function startTokenServer(options: { cert: string; key: string; users: Record<string, string>; anonymousPull?: boolean; ttlSeconds?: number }): Promise<TokenServer> {
  const pem = fs.readFileSync(options.cert, 'utf8');
  const der = new crypto.X509Certificate(pem).raw;
  const key = crypto.createPrivateKey(fs.readFileSync(options.key));
  const service = 'cove-test-registry';
  const issuer = 'cove-test-issuer';
  const requests: TokenServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    let user: string | null = null;
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Basic ')) {
      const [name, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      if (name === undefined || options.users[name] !== rest.join(':')) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
        return;
      }
      user = name;
    }
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    requests.push({ scopes, user });
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name || !actions) return [];
      const granted = actions.split(',').filter((a) => user !== null || (options.anonymousPull && a === 'pull'));
      return granted.length > 0 ? [{ type, name, actions: granted }] : [];
    });
    if (user === null && access.length === 0 && !options.anonymousPull) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="cove-test"' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'credentials required' }] }));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const ttl = options.ttlSeconds ?? 300;
    const head = { typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] };
    const claims = { iss: issuer, sub: user ?? '', aud: service, exp: now + ttl, nbf: now - 10, iat: now, jti: crypto.randomBytes(8).toString('hex'), access };
    const signingInput = `${b64url(JSON.stringify(head))}.${b64url(JSON.stringify(claims))}`;
    const signature = crypto.sign('sha256', Buffer.from(signingInput), key);
    const token = `${signingInput}.${b64url(signature)}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: ttl, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
