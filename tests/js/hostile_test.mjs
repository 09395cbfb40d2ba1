// hostile_test.mjs: drives socialhub (through nginx) against hostile_op.mjs
// and proves every attack ends without a session.
//
//   node tests/js/hostile_test.mjs BASE_URL OP_ISSUER PROVIDER_ID CORPUS_FILE
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { Jar, req, location, assert } from './rp_client.mjs';

const [base, op, provider, corpus] = process.argv.slice(2);
const SESSION = 'socialhub_session';
const loginUrl = (rt = '/protected/page') => `${base}/social/auth/login/${provider}?return_to=${encodeURIComponent(rt)}`;
const callbackPrefix = `${base}/social/auth/callback/${provider}`;

let failures = 0;
let n = 0;
async function test(name, fn) {
  n++;
  try {
    const note = await fn();
    console.log(`ok ${n} - ${name}${note ? ` (${note})` : ''}`);
  } catch (err) {
    failures++;
    console.log(`not ok ${n} - ${name}\n  # ${err.message.replace(/\n/g, '\n  # ')}`);
  }
}

async function setMode(mode) {
  const r = await fetch(`${op}/control`, { method: 'POST', body: JSON.stringify({ mode }) });
  assert(r.ok, 'control endpoint');
}

async function stats() {
  return (await fetch(`${op}/stats`)).json();
}

// Starts a login and lets the hostile provider answer: the callback URL.
async function startLogin(jar, mode, returnTo) {
  await setMode(mode);
  const r = await req(loginUrl(returnTo), { jar });
  assert(r.status === 302, `login start should be 302, got ${r.status}`);
  const auth = location(r, base);
  assert(auth.startsWith(`${op}/authorize?`), `login redirects to the provider: ${auth}`);
  const a = await req(auth);
  assert(a.status === 302, `provider authorize should redirect, got ${a.status} ${a.text_}`);
  const cb = location(a, auth);
  assert(cb.startsWith(callbackPrefix), `provider redirects to our callback: ${cb}`);
  return cb;
}

function sessionSet(res) {
  return res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION}=`) && !c.startsWith(`${SESSION}=;`));
}

async function assertNoSession(res, jar, wantStatus) {
  assert(!sessionSet(res), 'no session cookie may be set');
  assert(res.status !== 303 && res.status !== 302, `callback must not redirect onwards (got ${res.status})`);
  if (wantStatus) assert(res.status === wantStatus, `status ${wantStatus} expected, got ${res.status}`);
  assert(/no-store/.test(res.headers.get('cache-control') || ''), 'callback is no-store');
  assert(res.headers.get('referrer-policy') === 'no-referrer', 'callback has Referrer-Policy: no-referrer');
  const me = await req(`${base}/social/auth/me`, { jar });
  assert(me.status === 401, `/auth/me must say 401, got ${me.status}`);
  const check = await req(`${base}/social/auth/check`, { jar });
  assert(check.status === 401, `/auth/check must say 401, got ${check.status}`);
  return `${res.status}`;
}

async function rejected(mode, tamper, wantStatus) {
  const jar = new Jar();
  let cb = await startLogin(jar, mode);
  if (tamper) cb = tamper(cb);
  const res = await req(cb, { jar });
  return assertNoSession(res, jar, wantStatus);
}

const addParam = (name, value) => (u) => `${u}&${name}=${encodeURIComponent(value)}`;

await test('baseline: a well-behaved provider signs the visitor in', async () => {
  const jar = new Jar();
  const cb = await startLogin(jar, 'ok');
  const res = await req(cb, { jar });
  assert(res.status === 303, `303 expected, got ${res.status}: ${res.text_.slice(0, 200)}`);
  assert(location(res, base) === `${base}/protected/page`, `303 to return_to, got ${location(res, base)}`);
  assert(sessionSet(res), 'session cookie set');
  const me = await req(`${base}/social/auth/me`, { jar });
  assert(me.status === 200 && JSON.parse(me.text_).sub === 'hostile-user', `me: ${me.status} ${me.text_}`);
});

const modes = [
  ['state mismatch', 'state_mismatch'],
  ['missing nonce', 'missing_nonce'],
  ['wrong nonce', 'wrong_nonce'],
  ['alg none', 'alg_none'],
  ['HS256 signed with the provider public key', 'hs256_pubkey'],
  ['signed by an unpublished key under a published kid', 'rogue_key'],
  ['wrong iss', 'wrong_iss'],
  ['wrong aud', 'wrong_aud'],
  ['extra untrusted aud without azp', 'extra_aud'],
  ['extra untrusted aud with azp of another client', 'extra_aud_azp_other'],
  ['expired ID token', 'expired'],
  ['iat far in the future', 'iat_future'],
  ['nbf in the future', 'nbf_future'],
  ['ID token without sub', 'no_sub'],
  ['mismatched iss parameter in the callback (RFC 9207)', 'iss_mismatch'],
  ['iss parameter missing although the metadata promises it', 'no_iss'],
  ['unknown kid', 'unknown_kid'],
];
for (const [name, mode] of modes) {
  await test(`rejected: ${name}`, () => rejected(mode, null, 400));
}

await test('rejected: duplicated state parameter', () => rejected('ok', addParam('state', 'x'), 400));
await test('rejected: duplicated code parameter', () => rejected('ok', addParam('code', 'x'), 400));
await test('rejected: duplicated iss parameter', () => rejected('ok', (u) => `${u}&iss=${encodeURIComponent(op)}`, 400));
await test('rejected: callback without state', () => rejected('ok', (u) => u.replace(/([?&])state=[^&]*/, '$1'), 400));
await test('rejected: callback without code', () => rejected('ok', (u) => u.replace(/([?&])code=[^&]*/, '$1'), 400));

await test('provider error is shown as a page, escaped, without a session', async () => {
  const jar = new Jar();
  const cb = await startLogin(jar, 'error');
  const res = await req(cb, { jar });
  await assertNoSession(res, jar, 403);
  assert(/access_denied/.test(res.text_), 'the page names the error');
  assert(!res.text_.includes('<script>alert'), 'provider text is escaped');
  assert(/text\/html/.test(res.headers.get('content-type')), 'an HTML page');
  assert(/default-src 'none'/.test(res.headers.get('content-security-policy') || ''), 'strict CSP');
});

await test('rejected: replayed state (the callback replayed with the original cookies)', async () => {
  const jar = new Jar();
  const cb = await startLogin(jar, 'ok');
  const before = jar.clone();
  const first = await req(cb, { jar });
  assert(first.status === 303 && sessionSet(first), 'the first callback signs in');
  const s1 = await stats();
  const again = new Jar();
  again.map = new Map(before.map);
  const res = await req(cb, { jar: again });
  const s2 = await stats();
  assert(s2.token === s1.token, 'the replay never reaches the token endpoint');
  return assertNoSession(res, again, 400);
});

await test('rejected: code replay (an old code injected into a new login)', async () => {
  const jar1 = new Jar();
  const cb1 = await startLogin(jar1, 'ok');
  const code1 = new URL(cb1).searchParams.get('code');
  const r1 = await req(cb1, { jar: jar1 });
  assert(r1.status === 303, 'first login works');
  const s1 = await stats();
  const jar2 = new Jar();
  const cb2 = await startLogin(jar2, 'ok');
  const forged = cb2.replace(/([?&]code=)[^&]*/, `$1${code1}`);
  const res = await req(forged, { jar: jar2 });
  const s2 = await stats();
  assert(s2.code_replays === s1.code_replays + 1, 'the provider saw (and refused) the replayed code');
  return assertNoSession(res, jar2, 400);
});

await test('unknown kid flood: JWKS refetch is rate-limited', async () => {
  const s1 = await stats();
  const attempts = 20;
  for (let i = 0; i < attempts; i++) await rejected('unknown_kid', null, 400);
  const s2 = await stats();
  const hits = s2.jwks - s1.jwks;
  // Two workers may each still need a first fetch; forced fetches are
  // limited to one a minute across processes.
  assert(hits <= 2, `${hits} JWKS fetches for ${attempts} unknown kids`);
  return `${attempts} tokens with made-up kids, ${hits} JWKS fetches`;
});

await test('parallel tabs: at most five state cookies, oldest dropped', async () => {
  const jar = new Jar();
  for (let i = 0; i < 8; i++) {
    const r = await req(loginUrl(`/tab/${i}`), { jar });
    assert(r.status === 302, 'login start');
  }
  const states = jar.names().filter((k) => k.startsWith(`${SESSION}_st_`));
  assert(states.length === 5, `5 state cookies expected, jar has ${states.length}`);
  return `${states.length} state cookies after 8 attempts`;
});

// Raw request so that payload bytes reach nginx exactly as written.
function rawGet(path) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    s.on('data', (d) => { data += d.toString('latin1'); });
    s.on('end', () => {
      const head = data.split('\r\n\r\n')[0].split('\r\n');
      const status = Number(head[0].split(' ')[1]);
      const headers = head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]);
      resolve({ status, headers });
    });
    s.on('error', reject);
  });
}

await test('open-redirect corpus: no return_to payload leads off-site', async () => {
  const lines = readFileSync(corpus, 'utf8').split('\n').filter((l) => /^[RA] /.test(l));
  let refused = 0;
  let completed = 0;
  await setMode('ok');
  for (const line of lines) {
    const payload = line.slice(2);
    const r = await rawGet(`/social/auth/login/${provider}?return_to=${payload}`);
    if (r.status === 400) {
      refused++;
      continue;
    }
    assert(r.status === 302, `payload ${payload}: status ${r.status}`);
    const jar = new Jar();
    for (const [k, v] of r.headers) if (k === 'set-cookie') {
      const [pair] = v.split(';');
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    const auth = r.headers.find(([k]) => k === 'location')[1];
    const a = await req(auth);
    const cb = await req(location(a, auth), { jar });
    assert(cb.status === 303, `payload ${payload}: callback ${cb.status}`);
    const loc = cb.headers.get('location');
    assert(!/[\\\x00-\x20\x7f]/.test(loc), `payload ${payload}: Location has bytes browsers rewrite: ${loc}`);
    const u = new URL(loc, base);
    assert(u.origin === new URL(base).origin, `payload ${payload} led off-site: ${loc}`);
    completed++;
  }
  assert(lines.length >= 100, 'at least 100 payloads');
  return `${lines.length} payloads: ${refused} refused with 400, ${completed} signed in and stayed on-site`;
});

console.log(`1..${n}`);
if (failures > 0) {
  console.log(`# ${failures} of ${n} failed`);
  process.exit(1);
}
console.log(`# all ${n} passed`);
