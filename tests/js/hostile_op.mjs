// hostile_op.mjs: an OpenID provider that misbehaves on demand (npm jose).
//
//   node tests/js/hostile_op.mjs --ready-file FILE [--port 0]
//
// The test sets the next misbehaviour with POST /control {"mode": ...}; the
// authorization endpoint then answers at once (no login page) and the token
// endpoint mints an ID token shaped by that mode. GET /stats counts hits.
// PKCE (S256) and client_secret_basic are enforced; codes are single-use.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import {
  SignJWT, generateKeyPair, exportJWK, base64url,
} from 'jose';

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const CLIENT_ID = 'rp';
const CLIENT_SECRET = 'hostile-client-secret';

const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
const rogue = await generateKeyPair('RS256', { extractable: true });
const pubJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };

let issuer = '';
let control = { mode: 'ok' };
const stats = { jwks: 0, token: 0, authorize: 0, discovery: 0, userinfo: 0, token_errors: 0 };
const codes = new Map(); // code -> { used, challenge, nonce, redirect_uri, mode }

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString();
}

function discovery() {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/userinfo`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  };
}

// The ID token for one redemption, shaped by the mode.
async function idToken(entry) {
  const now = Math.floor(Date.now() / 1000);
  const { mode } = entry;
  const claims = {
    iss: issuer, sub: 'hostile-user', aud: CLIENT_ID, iat: now, exp: now + 300,
    nonce: entry.nonce, name: 'Hostile User', email: 'victim@example.com', email_verified: true,
  };
  let header = { alg: 'RS256', kid: 'k1', typ: 'JWT' };
  let key = privateKey;
  switch (mode) {
    case 'missing_nonce': delete claims.nonce; break;
    case 'wrong_nonce': claims.nonce = 'attacker-chosen-nonce'; break;
    case 'wrong_iss': claims.iss = 'https://evil.example'; break;
    case 'wrong_aud': claims.aud = 'another-client'; break;
    case 'extra_aud': claims.aud = [CLIENT_ID, 'evil-client']; break;
    case 'extra_aud_azp_other': claims.aud = [CLIENT_ID, 'evil-client']; claims.azp = 'evil-client'; break;
    case 'expired': claims.iat = now - 3600; claims.exp = now - 600; break;
    case 'iat_future': claims.iat = now + 86400; claims.exp = now + 90000; break;
    case 'nbf_future': claims.nbf = now + 3600; break;
    case 'no_sub': delete claims.sub; break;
    case 'unknown_kid': header = { alg: 'RS256', kid: `made-up-${randomBytes(6).toString('hex')}` }; key = rogue.privateKey; break;
    case 'rogue_key': key = rogue.privateKey; break;
    case 'alg_none': {
      const enc = (o) => base64url.encode(JSON.stringify(o));
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
    }
    case 'hs256_pubkey': {
      // HMAC keyed with the public key as published (the JWK JSON text).
      const enc = (o) => base64url.encode(JSON.stringify(o));
      const input = `${enc({ alg: 'HS256', kid: 'k1' })}.${enc(claims)}`;
      const { createHmac } = await import('node:crypto');
      const sig = createHmac('sha256', JSON.stringify(pubJwk)).update(input).digest();
      return `${input}.${base64url.encode(sig)}`;
    }
    default: break;
  }
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

function clientAuthOk(req) {
  const h = req.headers.authorization || '';
  if (!h.startsWith('Basic ')) return false;
  const [id, secret] = Buffer.from(h.slice(6), 'base64').toString().split(':')
    .map(decodeURIComponent);
  return id === CLIENT_ID && secret === CLIENT_SECRET;
}

async function token(req, res) {
  stats.token++;
  const form = new URLSearchParams(await readBody(req));
  const fail = (error) => {
    stats.token_errors++;
    send(res, 400, { error });
  };
  if (!clientAuthOk(req)) return fail('invalid_client');
  const entry = codes.get(form.get('code'));
  if (!entry || form.get('grant_type') !== 'authorization_code') return fail('invalid_grant');
  if (entry.used) {
    entry.replayed = (entry.replayed || 0) + 1;
    return fail('invalid_grant');
  }
  entry.used = true;
  if (form.get('redirect_uri') !== entry.redirect_uri) return fail('invalid_grant');
  const verifier = form.get('code_verifier') || '';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  if (challenge !== entry.challenge) return fail('invalid_grant');
  const accessToken = randomBytes(24).toString('base64url');
  return send(res, 200, {
    access_token: accessToken, token_type: 'Bearer', expires_in: 300,
    id_token: await idToken(entry),
  });
}

function authorize(url, res) {
  stats.authorize++;
  const p = url.searchParams;
  const mode = control.mode;
  const redirect = new URL(p.get('redirect_uri'));
  if (p.get('client_id') !== CLIENT_ID || p.get('response_type') !== 'code' ||
      p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) {
    return send(res, 400, { error: 'invalid_request' });
  }
  const code = randomBytes(16).toString('base64url');
  codes.set(code, {
    mode, nonce: p.get('nonce'), challenge: p.get('code_challenge'),
    redirect_uri: p.get('redirect_uri'),
  });
  const q = redirect.searchParams;
  if (mode === 'error') {
    q.set('error', 'access_denied');
    q.set('error_description', 'The user said no <script>alert(1)</script>');
  } else {
    q.set('code', code);
  }
  q.set('state', mode === 'state_mismatch' ? randomBytes(32).toString('base64url') : p.get('state'));
  if (mode === 'iss_mismatch') q.set('iss', 'https://evil.example');
  else if (mode !== 'no_iss') q.set('iss', issuer);
  control.lastCode = code;
  res.writeHead(302, { location: redirect.toString(), 'cache-control': 'no-store' });
  return res.end();
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      stats.discovery++;
      return send(res, 200, discovery());
    }
    if (url.pathname === '/jwks') {
      stats.jwks++;
      return send(res, 200, { keys: [pubJwk] });
    }
    if (url.pathname === '/authorize') return authorize(url, res);
    if (url.pathname === '/token' && req.method === 'POST') return await token(req, res);
    if (url.pathname === '/userinfo') {
      stats.userinfo++;
      return send(res, 200, { sub: 'hostile-user', name: 'Hostile User' });
    }
    if (url.pathname === '/control' && req.method === 'POST') {
      control = JSON.parse(await readBody(req));
      return send(res, 200, { ok: true });
    }
    if (url.pathname === '/stats') {
      const replays = [...codes.values()].reduce((n, e) => n + (e.replayed || 0), 0);
      return send(res, 200, { ...stats, code_replays: replays, last_code: control.lastCode });
    }
    return send(res, 404, { error: 'not_found' });
  } catch (err) {
    console.error(err);
    return send(res, 500, { error: 'server_error' });
  }
});

server.listen(Number(arg('--port', '0')), '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  const info = { issuer, port: server.address().port, client_id: CLIENT_ID, client_secret: CLIENT_SECRET };
  if (arg('--ready-file')) writeFileSync(arg('--ready-file'), JSON.stringify(info));
  console.log(`hostile op ready ${JSON.stringify(info)}`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
