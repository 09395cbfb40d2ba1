// presets_fixture.mjs: local stand-ins for GitHub, Google, Facebook,
// LinkedIn, X, Microsoft, GitLab, Apple and Mastodon, answering the way
// each documents (and with each one's quirks), under /<provider>/...
//
//   node tests/js/presets_fixture.mjs --ready-file FILE [--port 0] [--apple-key-file PEM]
//
// Authorization endpoints answer at once (no login page): a 302 back to the
// redirect_uri, or for Apple an auto-posting form (response_mode=form_post).
// GET /stats reports what each provider saw (and any protocol violations).
import { createHash, randomBytes, createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import {
  SignJWT, generateKeyPair, exportJWK, exportPKCS8, jwtVerify, importJWK,
} from 'jose';

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};

export const CLIENTS = {
  github: { id: 'gh-client', secret: 'gh-secret' },
  google: { id: 'g-client.apps.googleusercontent.com', secret: 'g-secret' },
  facebook: { id: 'fb-app', secret: 'fb-app-secret' },
  linkedin: { id: 'li-client', secret: 'li-secret' },
  x: { id: 'x-client', secret: 'x-secret' },
  microsoft: { id: 'ms-client', secret: 'ms-secret' },
  gitlab: { id: 'gl-client', secret: 'gl-secret' },
  apple: { id: 'com.example.web', team: 'TEAM123456', kid: 'KEY1234567' },
};
export const MS_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

const rsa = await generateKeyPair('RS256', { extractable: true });
const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'fixture-rsa', alg: 'RS256', use: 'sig' };
const appleKey = await generateKeyPair('ES256', { extractable: true });
const applePublic = await exportJWK(appleKey.publicKey);

let F = '';
const stats = { violations: [], hits: {}, mastodon_apps: 0 };
const codes = new Map();
const tokens = new Map();
let appleFirst = true;

const violation = (msg) => stats.violations.push(msg);
const hit = (k) => { stats.hits[k] = (stats.hits[k] || 0) + 1; };

function send(res, status, body, headers = {}) {
  const isText = typeof body === 'string';
  res.writeHead(status, {
    'content-type': isText ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(isText ? body : JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString();
}

function basicAuth(req) {
  const h = req.headers.authorization || '';
  if (!h.startsWith('Basic ')) return null;
  const [id, secret] = Buffer.from(h.slice(6), 'base64').toString().split(':').map(decodeURIComponent);
  return { id, secret };
}

function bearer(req) {
  const h = req.headers.authorization || '';
  const t = h.startsWith('Bearer ') ? tokens.get(h.slice(7)) : null;
  return t || null;
}

// ---- authorization: record the request, answer at once

function authorize(provider, url, res, opts = {}) {
  hit(`${provider}.authorize`);
  const p = url.searchParams;
  const code = randomBytes(16).toString('base64url');
  if (p.get('response_type') !== 'code') violation(`${provider}: response_type ${p.get('response_type')}`);
  if (opts.pkce === 'required' && p.get('code_challenge_method') !== 'S256') violation(`${provider}: PKCE S256 missing`);
  if (opts.pkce === 'forbidden' && p.get('code_challenge')) {
    // LinkedIn: PKCE from a web app has been reported to fail; refuse it.
    return redirectBack(p, { error: 'invalid_request', error_description: 'PKCE not supported', state: p.get('state') }, res);
  }
  if (opts.nonce === 'forbidden' && p.get('nonce')) violation(`${provider}: nonce sent`);
  codes.set(code, {
    provider, client_id: p.get('client_id'), redirect_uri: p.get('redirect_uri'),
    challenge: p.get('code_challenge'), nonce: p.get('nonce'), scope: p.get('scope'),
    instance: opts.instance,
  });
  if (opts.formPost) {
    if (p.get('response_mode') !== 'form_post') violation(`${provider}: response_mode ${p.get('response_mode')}`);
    const fields = { code, state: p.get('state') };
    if (appleFirst) fields.user = JSON.stringify({ name: { firstName: 'Ada', lastName: 'Lovelace' }, email: 'ada@privaterelay.appleid.com' });
    appleFirst = false;
    const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">`).join('');
    return send(res, 200, `<!DOCTYPE html><form method="post" action="${p.get('redirect_uri')}">${inputs}</form>`);
  }
  const back = { code, state: p.get('state') };
  if (opts.iss) back.iss = opts.iss;
  return redirectBack(p, back, res);
}

function redirectBack(p, params, res) {
  const u = new URL(p.get('redirect_uri'));
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  res.writeHead(302, { location: u.toString() });
  res.end();
}

// ---- token endpoint: client auth per provider, code + PKCE checks

function redeem(provider, form, clientId) {
  const entry = codes.get(form.get('code'));
  if (!entry || entry.used || entry.provider !== provider) return { error: 'invalid_grant' };
  entry.used = true;
  if (form.get('redirect_uri') !== entry.redirect_uri) return { error: 'invalid_grant' };
  if (clientId !== entry.client_id) return { error: 'invalid_client' };
  if (entry.challenge) {
    const v = form.get('code_verifier') || '';
    if (createHash('sha256').update(v).digest('base64url') !== entry.challenge) return { error: 'invalid_grant' };
  } else if (form.get('code_verifier')) {
    violation(`${provider}: code_verifier without a challenge`);
  }
  const token = randomBytes(20).toString('base64url');
  tokens.set(token, entry);
  return { entry, token };
}

async function idToken(provider, entry, claims, iss) {
  const now = Math.floor(Date.now() / 1000);
  const body = {
    iss, aud: entry.client_id, iat: now, exp: now + 600, ...claims,
  };
  if (entry.nonce) body.nonce = entry.nonce;
  body.at_hash = undefined;
  return new SignJWT(JSON.parse(JSON.stringify(body)))
    .setProtectedHeader({ alg: 'RS256', kid: 'fixture-rsa' }).sign(rsa.privateKey);
}

function discovery(provider, issuer, extra = {}) {
  return {
    issuer,
    authorization_endpoint: `${F}/${provider}/authorize`,
    token_endpoint: `${F}/${provider}/token`,
    userinfo_endpoint: `${F}/${provider}/userinfo`,
    jwks_uri: `${F}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    ...extra,
  };
}

// ---- per provider

const handlers = {
  // GitHub: OAuth 2 only; JSON from the token endpoint only with Accept.
  async github(path, url, req, res) {
    if (path === '/login/oauth/authorize') return authorize('github', url, res);
    if (path === '/login/oauth/access_token') {
      hit('github.token');
      const form = new URLSearchParams(await readBody(req));
      if (form.get('client_secret') !== CLIENTS.github.secret) return send(res, 200, { error: 'incorrect_client_credentials' });
      const r = redeem('github', form, form.get('client_id'));
      // GitHub answers errors with 200 and an error member.
      if (r.error) return send(res, 200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      if (!/application\/json/.test(req.headers.accept || '')) {
        violation('github: token request without Accept: application/json');
        res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' });
        return res.end(`access_token=${r.token}&scope=read%3Auser&token_type=bearer`);
      }
      return send(res, 200, { access_token: r.token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    if (path === '/api/user' || path === '/api/user/emails') {
      hit(`github${path}`);
      if (!bearer(req)) return send(res, 401, { message: 'Requires authentication' });
      if (path === '/api/user') {
        return send(res, 200, {
          login: 'octocat', id: 583231, name: 'The Octocat', email: null,
          avatar_url: 'https://avatars.githubusercontent.com/u/583231?v=4', html_url: 'https://github.com/octocat',
        });
      }
      return send(res, 200, [
        { email: 'octo-old@example.com', primary: false, verified: true, visibility: null },
        { email: 'unverified@example.com', primary: false, verified: false, visibility: null },
        { email: 'octocat@example.com', primary: true, verified: true, visibility: 'private' },
      ]);
    }
    return null;
  },

  // Google: OIDC; the ID token's iss may be the bare host name.
  async google(path, url, req, res) {
    const issuer = `${F}/google`;
    if (path === '/.well-known/openid-configuration') return send(res, 200, discovery('google', issuer));
    if (path === '/authorize') return authorize('google', url, res, { pkce: 'required' });
    if (path === '/token') {
      hit('google.token');
      const form = new URLSearchParams(await readBody(req));
      const b = basicAuth(req);
      const id = b ? b.id : form.get('client_id');
      const secret = b ? b.secret : form.get('client_secret');
      if (id !== CLIENTS.google.id || secret !== CLIENTS.google.secret) return send(res, 401, { error: 'invalid_client' });
      const r = redeem('google', form, id);
      if (r.error) return send(res, 400, { error: r.error });
      stats.googleCount = (stats.googleCount || 0) + 1;
      const iss = stats.googleCount % 2 === 1 ? 'accounts.google.com' : issuer;
      return send(res, 200, {
        access_token: r.token, token_type: 'Bearer', expires_in: 3599, scope: 'openid email profile',
        id_token: await idToken('google', r.entry, {
          sub: '110169484474386276334', azp: CLIENTS.google.id, email: 'jane@gmail.example',
          email_verified: true, name: 'Jane Doe', picture: 'https://lh3.googleusercontent.com/a/jane',
          given_name: 'Jane', family_name: 'Doe', hd: undefined,
        }, iss),
      });
    }
    return null;
  },

  // Facebook: OAuth 2 + Graph /me; appsecret_proof enforced.
  async facebook(path, url, req, res) {
    if (path === '/dialog/oauth') return authorize('facebook', url, res);
    if (path === '/oauth/access_token') {
      hit('facebook.token');
      const form = new URLSearchParams(await readBody(req));
      if (form.get('client_id') !== CLIENTS.facebook.id || form.get('client_secret') !== CLIENTS.facebook.secret) {
        return send(res, 400, { error: { message: 'Error validating client secret.', type: 'OAuthException', code: 1 } });
      }
      const r = redeem('facebook', form, form.get('client_id'));
      if (r.error) return send(res, 400, { error: { message: 'Invalid verification code format.', type: 'OAuthException', code: 100 } });
      return send(res, 200, { access_token: r.token, token_type: 'bearer', expires_in: 5183944 });
    }
    if (path === '/me') {
      hit('facebook.me');
      const entry = bearer(req);
      const token = (req.headers.authorization || '').slice(7);
      if (!entry) return send(res, 400, { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } });
      const proof = createHmac('sha256', CLIENTS.facebook.secret).update(token).digest('hex');
      if (url.searchParams.get('appsecret_proof') !== proof) {
        return send(res, 400, { error: { message: 'Invalid appsecret_proof provided in the API argument', type: 'GraphMethodException', code: 100 } });
      }
      if (url.searchParams.get('fields') !== 'id,name,email,picture') violation(`facebook: fields=${url.searchParams.get('fields')}`);
      return send(res, 200, {
        id: '10224512345678901', name: 'Mark Fixture', email: 'mark@facebook.example',
        picture: { data: { height: 50, is_silhouette: false, url: 'https://platform-lookaside.fbsbx.com/p/mark.jpg', width: 50 } },
      });
    }
    return null;
  },

  // LinkedIn: OIDC at /oauth; client_secret_post only; no nonce, no PKCE.
  async linkedin(path, url, req, res) {
    const issuer = `${F}/linkedin/oauth`;
    if (path === '/oauth/.well-known/openid-configuration') {
      return send(res, 200, discovery('linkedin', issuer, {
        authorization_endpoint: `${F}/linkedin/oauth/v2/authorization`,
        token_endpoint: `${F}/linkedin/oauth/v2/accessToken`,
        userinfo_endpoint: `${F}/linkedin/v2/userinfo`,
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        code_challenge_methods_supported: undefined,
      }));
    }
    if (path === '/oauth/v2/authorization') return authorize('linkedin', url, res, { pkce: 'forbidden', nonce: 'forbidden' });
    if (path === '/oauth/v2/accessToken') {
      hit('linkedin.token');
      if (req.headers.authorization) violation('linkedin: client_secret_basic used');
      const form = new URLSearchParams(await readBody(req));
      if (form.get('client_id') !== CLIENTS.linkedin.id || form.get('client_secret') !== CLIENTS.linkedin.secret) {
        return send(res, 401, { error: 'invalid_client' });
      }
      const r = redeem('linkedin', form, form.get('client_id'));
      if (r.error) return send(res, 400, { error: r.error });
      return send(res, 200, {
        access_token: r.token, expires_in: 5183999, scope: 'email,openid,profile', token_type: 'Bearer',
        id_token: await idToken('linkedin', r.entry, {
          sub: 'Ka5eB6SuQn', name: 'Lin Kedin', given_name: 'Lin', family_name: 'Kedin',
          picture: 'https://media.licdn.com/dms/image/lin.jpg', email: 'lin@linkedin.example',
          email_verified: true, locale: 'en_US',
        }, issuer),
      });
    }
    return null;
  },

  // X: PKCE mandatory, confidential clients use HTTP Basic; /2/users/me.
  async x(path, url, req, res) {
    if (path === '/i/oauth2/authorize') return authorize('x', url, res, { pkce: 'required' });
    if (path === '/2/oauth2/token') {
      hit('x.token');
      const form = new URLSearchParams(await readBody(req));
      const b = basicAuth(req);
      if (!b || b.id !== CLIENTS.x.id || b.secret !== CLIENTS.x.secret) {
        return send(res, 401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' });
      }
      if (form.get('client_secret')) violation('x: client_secret in the body');
      const r = redeem('x', form, b.id);
      if (r.error) return send(res, 400, { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' });
      return send(res, 200, { token_type: 'bearer', expires_in: 7200, access_token: r.token, scope: 'users.read tweet.read' });
    }
    if (path === '/2/users/me') {
      hit('x.me');
      if (!bearer(req)) return send(res, 401, { title: 'Unauthorized', status: 401 });
      if (!(url.searchParams.get('user.fields') || '').includes('profile_image_url')) violation('x: no profile_image_url field');
      return send(res, 200, {
        data: {
          id: '2244994945', name: 'X Developers', username: 'XDevelopers',
          profile_image_url: 'https://pbs.twimg.com/profile_images/xdev_normal.jpg',
        },
      });
    }
    return null;
  },

  // Microsoft: tenant issuer template; email is not verified.
  async ms(path, url, req, res) {
    const m = /^\/([^/]+)\/v2\.0(\/.*)$/.exec(path);
    if (!m) return null;
    const [, tenant, rest] = m;
    if (rest === '/.well-known/openid-configuration') {
      return send(res, 200, discovery(`ms/${tenant}/v2.0`, `${F}/ms/{tenantid}/v2.0`));
    }
    if (rest === '/authorize') return authorize('microsoft', url, res, { pkce: 'required' });
    if (rest === '/token') {
      hit('microsoft.token');
      const form = new URLSearchParams(await readBody(req));
      const b = basicAuth(req) || { id: form.get('client_id'), secret: form.get('client_secret') };
      if (b.id !== CLIENTS.microsoft.id || b.secret !== CLIENTS.microsoft.secret) return send(res, 401, { error: 'invalid_client' });
      const r = redeem('microsoft', form, b.id);
      if (r.error) return send(res, 400, { error: r.error });
      const tid = stats.msTenant || MS_TENANT;
      return send(res, 200, {
        token_type: 'Bearer', scope: 'openid profile email', expires_in: 3600, access_token: r.token,
        id_token: await idToken('microsoft', r.entry, {
          sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ', oid: '00000000-0000-0000-66f3-3332eca7ea81',
          tid, name: 'Megan Bowen', preferred_username: 'meganb@contoso.example', email: 'ceo@contoso.example',
          ver: '2.0',
        }, `${F}/ms/${tid}/v2.0`),
      });
    }
    return null;
  },

  // GitLab (self-managed): plain OIDC; groups at userinfo.
  async gitlab(path, url, req, res) {
    const issuer = `${F}/gitlab`;
    if (path === '/.well-known/openid-configuration') return send(res, 200, discovery('gitlab', issuer));
    if (path === '/authorize') return authorize('gitlab', url, res, { pkce: 'required' });
    if (path === '/token') {
      hit('gitlab.token');
      const form = new URLSearchParams(await readBody(req));
      const b = basicAuth(req) || { id: form.get('client_id'), secret: form.get('client_secret') };
      if (b.id !== CLIENTS.gitlab.id || b.secret !== CLIENTS.gitlab.secret) return send(res, 401, { error: 'invalid_client' });
      const r = redeem('gitlab', form, b.id);
      if (r.error) return send(res, 400, { error: r.error });
      return send(res, 200, {
        access_token: r.token, token_type: 'Bearer', expires_in: 7200, scope: 'openid profile email', created_at: 1,
        id_token: await idToken('gitlab', r.entry, { sub: '1', sub_legacy: 'x' }, issuer),
      });
    }
    if (path === '/userinfo') {
      hit('gitlab.userinfo');
      if (!bearer(req)) return send(res, 401, { error: 'invalid_token' });
      return send(res, 200, {
        sub: '1', name: 'Tanuki Admin', nickname: 'root', email: 'admin@gitlab.example', email_verified: true,
        profile: `${F}/gitlab/root`, picture: 'https://gitlab.example/uploads/avatar.png', groups: ['devs'],
      });
    }
    return null;
  },

  // Apple: form_post callback; ES256 client secret JWT; booleans as strings.
  async apple(path, url, req, res) {
    const issuer = `${F}/apple`;
    if (path === '/auth/authorize') return authorize('apple', url, res, { formPost: true });
    if (path === '/auth/keys') return send(res, 200, { keys: [rsaJwk] });
    if (path === '/auth/token') {
      hit('apple.token');
      const form = new URLSearchParams(await readBody(req));
      try {
        const key = await importJWK(applePublic, 'ES256');
        const { payload, protectedHeader } = await jwtVerify(form.get('client_secret') || '', key, {
          issuer: CLIENTS.apple.team, audience: issuer, subject: CLIENTS.apple.id, algorithms: ['ES256'],
        });
        if (protectedHeader.kid !== CLIENTS.apple.kid) throw new Error('kid');
        if (payload.exp - payload.iat > 15777000) throw new Error('client secret valid too long');
      } catch (err) {
        return send(res, 400, { error: 'invalid_client', detail: String(err.message) });
      }
      const r = redeem('apple', form, form.get('client_id'));
      if (r.error) return send(res, 400, { error: r.error });
      return send(res, 200, {
        access_token: r.token, token_type: 'Bearer', expires_in: 3600, refresh_token: 'r',
        id_token: await idToken('apple', r.entry, {
          sub: '001234.0ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5.1234', email: 'ada@privaterelay.appleid.com',
          email_verified: 'true', is_private_email: 'true', auth_time: Math.floor(Date.now() / 1000),
        }, issuer),
      });
    }
    return null;
  },
};

// Mastodon: a 4.3+ instance (/mastodon) and an older one (/mastodon-old).
async function mastodon(prefix, modern, path, url, req, res) {
  const base = `${F}/${prefix}`;
  if (path === '/.well-known/oauth-authorization-server') {
    if (!modern) return send(res, 404, { error: 'Not found' });
    return send(res, 200, {
      issuer: `${base}/`, authorization_endpoint: `${base}/oauth/authorize`, token_endpoint: `${base}/oauth/token`,
      scopes_supported: ['read', 'write', 'push', 'profile', 'read:accounts'],
      response_types_supported: ['code'], code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    });
  }
  if (path === '/api/v1/apps' && req.method === 'POST') {
    stats.mastodon_apps++;
    const form = new URLSearchParams(await readBody(req));
    stats[`${prefix}_scopes`] = form.get('scopes');
    return send(res, 200, {
      id: '563419', name: form.get('client_name'), website: form.get('website'),
      scopes: form.get('scopes').split(' '), redirect_uri: form.get('redirect_uris'),
      redirect_uris: [form.get('redirect_uris')],
      client_id: `${prefix}-client-${stats.mastodon_apps}`, client_secret: `${prefix}-secret-${stats.mastodon_apps}`,
      vapid_key: 'BCk-QqERU0q',
    });
  }
  if (path === '/oauth/authorize') {
    if (url.searchParams.get('scope') !== (modern ? 'profile' : 'read:accounts')) violation(`${prefix}: scope ${url.searchParams.get('scope')}`);
    return authorize(prefix, url, res, { pkce: modern ? 'required' : undefined });
  }
  if (path === '/oauth/token') {
    hit(`${prefix}.token`);
    const form = new URLSearchParams(await readBody(req));
    const b = basicAuth(req) || { id: form.get('client_id'), secret: form.get('client_secret') };
    if (!b.id || b.secret !== b.id.replace('client', 'secret')) return send(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    const r = redeem(prefix, form, b.id);
    if (r.error) return send(res, 400, { error: 'invalid_grant' });
    return send(res, 200, { access_token: r.token, token_type: 'Bearer', scope: 'profile', created_at: 1 });
  }
  if (path === '/api/v1/accounts/verify_credentials') {
    hit(`${prefix}.verify_credentials`);
    if (!bearer(req)) return send(res, 401, { error: 'The access token is invalid' });
    return send(res, 200, {
      id: '109302435209385', username: 'alice', acct: 'alice', display_name: 'Alice 🐘',
      url: `https://social.example/@alice`, avatar: 'https://files.social.example/avatars/alice.png',
      followers_count: 42,
    });
  }
  return null;
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, F);
    if (url.pathname === '/jwks') return send(res, 200, { keys: [rsaJwk] });
    if (url.pathname === '/stats') return send(res, 200, stats);
    if (url.pathname === '/control' && req.method === 'POST') {
      Object.assign(stats, JSON.parse(await readBody(req)));
      return send(res, 200, { ok: true });
    }
    const m = /^\/([a-z-]+)(\/.*)$/.exec(url.pathname);
    let done = null;
    if (m && m[1] === 'mastodon') done = await mastodon('mastodon', true, m[2], url, req, res);
    else if (m && m[1] === 'mastodon-old') done = await mastodon('mastodon-old', false, m[2], url, req, res);
    else if (m && handlers[m[1]]) done = await handlers[m[1]](m[2], url, req, res);
    if (done === null && !res.headersSent) send(res, 404, { error: 'not_found', path: url.pathname });
    return undefined;
  } catch (err) {
    console.error(err);
    if (!res.headersSent) send(res, 500, { error: 'server_error' });
    return undefined;
  }
});

server.listen(Number(arg('--port', '0')), '127.0.0.1', async () => {
  F = `http://127.0.0.1:${server.address().port}`;
  const keyFile = arg('--apple-key-file');
  if (keyFile) writeFileSync(keyFile, await exportPKCS8(appleKey.privateKey), { mode: 0o600 });
  const info = { base: F, port: server.address().port, ms_tenant: MS_TENANT, clients: CLIENTS };
  if (arg('--ready-file')) writeFileSync(arg('--ready-file'), JSON.stringify(info));
  console.log(`presets fixture ready ${JSON.stringify(info)}`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
