// op_test.mjs: the sign-on routes through real nginx against the real
// oidc-provider (tests/js/op.mjs).
//
//   node tests/js/op_test.mjs BASE_URL OP_ISSUER
import { Jar, req, location, opAuthorize, assert } from './rp_client.mjs';

const [base, op] = process.argv.slice(2);
const SESSION = 'socialhub_session';
let failures = 0;
let n = 0;

async function test(name, fn) {
  n++;
  try {
    const note = await fn();
    console.log(`ok ${n} - ${name}${note ? ` (${note})` : ''}`);
  } catch (err) {
    failures++;
    console.log(`not ok ${n} - ${name}\n  # ${err.message}`);
  }
}

async function signIn(jar, login, returnTo = '/protected/page', provider = 'demo') {
  const r = await req(`${base}/social/auth/login/${provider}?return_to=${encodeURIComponent(returnTo)}`, { jar });
  assert(r.status === 302, `login start: ${r.status} ${r.text_}`);
  const auth = new URL(location(r, base));
  assert(auth.origin === op, `redirects to the provider: ${auth}`);
  const p = auth.searchParams;
  assert(p.get('response_type') === 'code', 'code flow');
  assert(p.get('code_challenge_method') === 'S256' && p.get('code_challenge').length === 43, 'PKCE S256');
  assert(p.get('state').length === 43 && p.get('nonce').length === 43, '256-bit state and nonce');
  assert(p.get('redirect_uri') === `${base}/social/auth/callback/${provider}`, 'redirect_uri');
  assert(/no-store/.test(r.headers.get('cache-control')), 'login start is no-store');
  const cb = await opAuthorize(auth.toString(), jar, `${base}/social/auth/callback/`, login);
  const res = await req(cb, { jar });
  return res;
}

const alice = new Jar();

await test('sign in at oidc-provider: 303 to return_to with a sealed session cookie', async () => {
  const res = await signIn(alice, 'alice');
  assert(res.status === 303, `callback: ${res.status} ${res.text_.slice(0, 300)}`);
  assert(location(res, base) === `${base}/protected/page`, `Location ${res.headers.get('location')}`);
  assert(res.headers.get('referrer-policy') === 'no-referrer', 'Referrer-Policy: no-referrer');
  assert(/no-store/.test(res.headers.get('cache-control')), 'Cache-Control: no-store');
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION}=`));
  assert(set && /HttpOnly/.test(set) && /SameSite=Lax/.test(set) && /Path=\//.test(set), `cookie attributes: ${set}`);
  assert(!alice.names().some((k) => k.startsWith(`${SESSION}_st_`)), 'the state cookie is gone');
  assert(alice.get(SESSION).length < 4000, 'session cookie under 4 KB');
  return `cookie ${alice.get(SESSION).length} bytes`;
});

await test('GET /auth/me: the profile from the ID token and userinfo', async () => {
  const r = await req(`${base}/social/auth/me`, { jar: alice });
  assert(r.status === 200, `status ${r.status}`);
  const me = JSON.parse(r.text_);
  assert(me.provider === 'demo' && me.sub === 'alice', `identity ${r.text_}`);
  assert(me.name === 'Alice Demo', `name ${me.name}`);
  assert(me.email === 'alice@example.test' && me.email_verified === true, 'verified email');
  // RFC 3339, as every date in the JSON answers (issue 16, item 8).
  assert(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(me.expires_at) &&
    Date.parse(me.expires_at) > Date.now() + 3600 * 1000, `expires_at ${me.expires_at}`);
  assert(/no-store/.test(r.headers.get('cache-control')), 'no-store');
});

await test('GET /auth/check: 204 with identity headers', async () => {
  const r = await req(`${base}/social/auth/check`, { jar: alice });
  assert(r.status === 204, `status ${r.status}`);
  assert(r.headers.get('x-socialhub-user') === 'demo:alice', `user ${r.headers.get('x-socialhub-user')}`);
  assert(r.headers.get('x-socialhub-name') === 'Alice Demo', 'name');
  assert(r.headers.get('x-socialhub-email') === 'alice@example.test', 'email');
  assert(r.headers.get('x-socialhub-provider') === 'demo', 'provider');
});

await test('nginx auth_request: the protected page sees the identity', async () => {
  const r = await req(`${base}/protected/page`, { jar: alice });
  assert(r.status === 200, `status ${r.status}`);
  assert(r.text_.includes('[Alice Demo] user=demo:alice'), `body ${r.text_}`);
  assert(!/socialhub_session/.test(r.text_), 'cookie not forwarded');
});

await test('forged identity headers from the client do not reach the upstream', async () => {
  const r = await req(`${base}/protected/page`, { jar: new Jar(), headers: { 'x-socialhub-user': 'demo:admin' } });
  assert(r.status === 302, `anonymous + forged header: ${r.status}`);
  const r2 = await req(`${base}/protected/page`, { jar: alice, headers: { 'x-socialhub-user': 'demo:admin' } });
  assert(r2.text_.includes('user=demo:alice'), `forged header replaced: ${r2.text_}`);
});

await test('anonymous: /auth/check 401 (never a redirect), nginx sends to the chooser', async () => {
  const c = await req(`${base}/social/auth/check`);
  assert(c.status === 401, `check ${c.status}`);
  const r = await req(`${base}/protected/page?x=1`);
  assert(r.status === 302, `protected ${r.status}`);
  assert(location(r, base).startsWith(`${base}/social/auth/login?return_to=/protected/page`), `to ${location(r, base)}`);
  const me = await req(`${base}/social/auth/me`);
  assert(me.status === 401 && JSON.parse(me.text_).error === 'unauthorized', 'me 401 JSON');
});

await test('GET /auth/providers and the chooser page', async () => {
  const r = await req(`${base}/social/auth/providers`);
  const list = JSON.parse(r.text_);
  assert(Array.isArray(list) && list[0].id === 'demo' && list[0].name === 'Demo ID', r.text_);
  assert(list[0].login_url === '/social/auth/login/demo' && list[0].icon === '/social/auth/icon/demo.svg', 'urls');
  const icon = await req(`${base}${list[0].icon}`);
  assert(icon.status === 200 && /image\/svg\+xml/.test(icon.headers.get('content-type')), 'icon');
  const page = await req(`${base}/social/auth/login?return_to=%2Fprotected%2Fpage`);
  assert(page.status === 200 && /<h1>Sign in<\/h1>/.test(page.text_), 'chooser');
  assert(page.text_.includes('href="/social/auth/login/demo?return_to=%2Fprotected%2Fpage"'), page.text_);
  assert(/default-src 'none'/.test(page.headers.get('content-security-policy')), 'CSP');
  const bad = await req(`${base}/social/auth/login?return_to=//evil.example`);
  assert(bad.status === 400, `bad return_to ${bad.status}`);
});

await test('<social-login> fragment: signed out, then signed in', async () => {
  const out = await req(`${base}/social/auth/button.html?return_to=%2Fblog`);
  assert(/<social-login data-state="signed-out"[ >]/.test(out.text_), out.text_);
  assert(out.text_.includes('Sign in with Demo ID'), 'sign-in link');
  assert(/private, no-store/.test(out.headers.get('cache-control')), 'private');
  const inn = await req(`${base}/social/auth/button.html?return_to=%2Fblog`, { jar: alice });
  assert(/data-state="signed-in"/.test(inn.text_) && inn.text_.includes('Alice Demo'), inn.text_);
  assert(inn.text_.includes('action="/social/auth/logout"') && inn.text_.includes('value="/blog"'), 'sign-out form');
});

await test('a second login replaces the session (no fixation)', async () => {
  const jar = alice.clone();
  const before = jar.get(SESSION);
  // Forget the provider's own session so that it asks who is signing in.
  for (const k of jar.names()) if (!k.startsWith(SESSION)) jar.delete(k);
  const res = await signIn(jar, 'bob', '/');
  assert(res.status === 303, `status ${res.status}`);
  assert(jar.get(SESSION) !== before, 'new cookie value');
  const me = JSON.parse((await req(`${base}/social/auth/me`, { jar })).text_);
  assert(me.sub === 'bob', `now bob: ${me.sub}`);
});

await test('logout: cross-site POST refused, same-origin POST clears and goes to end_session', async () => {
  const x = await req(`${base}/social/auth/logout`, { method: 'POST', jar: alice, form: { return_to: '/' }, headers: { origin: 'https://evil.example' } });
  assert(x.status === 403, `cross-origin ${x.status}`);
  const y = await req(`${base}/social/auth/logout`, { method: 'POST', jar: alice, form: { return_to: '/' } });
  assert(y.status === 403, `no Origin, no Sec-Fetch-Site: ${y.status}`);
  const still = await req(`${base}/social/auth/me`, { jar: alice });
  assert(still.status === 200, 'still signed in after refused logouts');
  const r = await req(`${base}/social/auth/logout`, { method: 'POST', jar: alice, form: { return_to: '/' }, headers: { origin: base } });
  assert(r.status === 303, `logout ${r.status}`);
  const loc = new URL(location(r, base));
  assert(loc.origin === op && loc.pathname === '/session/end', `RP-initiated logout: ${loc}`);
  assert(loc.searchParams.get('post_logout_redirect_uri') === `${base}/`, 'post_logout_redirect_uri');
  const me = await req(`${base}/social/auth/me`, { jar: alice });
  assert(me.status === 401, 'signed out');
  const p = await req(`${base}/protected/page`, { jar: alice });
  assert(p.status === 302, 'protected page redirects to sign-in again');
});

await test('access rules: a signed-in user outside the rules gets 403 from /auth/check', async () => {
  const jar = new Jar();
  const res = await signIn(jar, 'carol', '/', 'restricted');
  assert(res.status === 303, `sign-in ${res.status}`);
  const c = await req(`${base}/social/auth/check`, { jar });
  assert(c.status === 403, `check ${c.status}`);
  const p = await req(`${base}/protected/page`, { jar });
  assert(p.status === 403, `nginx passes the 403 on: ${p.status}`);
});

console.log(`1..${n}`);
if (failures > 0) {
  console.log(`# ${failures} of ${n} failed`);
  process.exit(1);
}
console.log(`# all ${n} passed`);
