// share_picker_test.mjs: the Mastodon share redirect is no open redirect,
// through the shipped nginx snippet with oidc-provider: a link (or a
// sign-in's return_to) naming a server the visitor never picked gets the
// picker to confirm, never a redirect; return_to never points into
// socialhub's own mount; the picker's own form (POST, same origin, its
// token) still sends the visitor to the server they typed.
//
//   node tests/js/share_picker_test.mjs BASE_URL OP_ISSUER
import { Jar, req, location, opAuthorize, assert } from './rp_client.mjs';

const [base] = process.argv.slice(2);
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

const PAGE = 'https://www.example.com/post/1';
const share = `/social/share/mastodon?url=${encodeURIComponent(PAGE)}&title=Hello`;
const evil = `${share}&instance=attacker.example`;
const offSite = (u) => new URL(u, base).origin !== new URL(base).origin;

// Signs in with return_to and follows every redirect after the callback:
// where the visitor ends up, or the refusal of the login start.
async function signInTo(returnTo) {
  const jar = new Jar();
  const start = `${base}/social/auth/login/demo?return_to=${encodeURIComponent(returnTo)}`;
  const r = await req(start, { jar });
  if (r.status !== 302) return { refused: r.status };
  const cb = await opAuthorize(location(r, start), jar, `${base}/social/auth/callback/`, 'alice');
  let cur = cb;
  for (let i = 0; i < 5; i++) {
    if (offSite(cur)) return { url: cur };
    const res = await req(cur, { jar });
    const next = location(res, cur);
    if (!next || res.status < 300 || res.status > 399) return { url: cur, status: res.status };
    cur = next;
  }
  return { url: cur };
}

await test('a link naming an unknown server gets the picker to confirm, no redirect', async () => {
  const r = await req(`${base}${evil}`);
  assert(r.status === 200, `status ${r.status}, Location ${r.headers.get('location')}`);
  assert(!r.headers.get('location'), 'no Location');
  assert(r.text_.includes('<strong>attacker.example</strong>'), 'names the server to confirm');
  assert(/<form method="post" action="\/social\/share\/mastodon">/.test(r.text_), 'a POST form');
  assert(/name="instance"[^>]*value="attacker.example"/.test(r.text_), 'pre-filled');
  assert(/no-store/.test(r.headers.get('cache-control')), 'no-store');
});

await test('sign-in with return_to into the share redirect never lands off-site', async () => {
  const end = await signInTo(evil);
  assert(!end.url || !offSite(end.url), `the visitor landed on ${end.url}`);
  assert(end.refused === 400, `login start refused with 400 (got ${JSON.stringify(end)})`);
});

await test('return_to into the mount is refused however it is spelled', async () => {
  for (const rt of ['/social/share/x?url=a', '/%73ocial/share/mastodon', '/a/../social/share/x',
    '/./social/auth/me', '/SOCIAL/share/x', '/social', '/social%2Fshare%2Fx']) {
    for (const path of ['/social/auth/login/demo', '/social/auth/login']) {
      const r = await req(`${base}${path}?return_to=${encodeURIComponent(rt)}`);
      assert(r.status === 400, `${path} return_to=${rt}: status ${r.status}`);
    }
  }
});

await test('sign-in back to a page of the site still works', async () => {
  const end = await signInTo('/members/page?x=1');
  assert(end.url === `${base}/members/page?x=1` && end.status === 200, JSON.stringify(end));
});

await test('a listed server still redirects from a link', async () => {
  const r = await req(`${base}${share}&instance=mastodon.social`);
  assert(r.status === 302, `status ${r.status}`);
  assert(location(r, base).startsWith('https://mastodon.social/share?text='), location(r, base));
});

// The picker's token, read from its form.
async function pickerToken(jar) {
  const r = await req(`${base}${share}`, { jar });
  assert(r.status === 200, `picker: ${r.status}`);
  const m = /name="token" value="([A-Za-z0-9_-]+)"/.exec(r.text_);
  assert(m, 'the picker form carries a token');
  return m[1];
}
const form = (token, instance = 'attacker.example') => ({ url: PAGE, title: 'Hello', instance, ...(token ? { token } : {}) });

await test('the picker form (POST, same origin, token) redirects to the typed server', async () => {
  const jar = new Jar();
  const token = await pickerToken(jar);
  const r = await req(`${base}/social/share/mastodon`, { method: 'POST', jar, form: form(token),
    headers: { origin: base, 'sec-fetch-site': 'same-origin' } });
  assert(r.status === 303, `status ${r.status} ${r.text_.slice(0, 200)}`);
  assert(location(r, base).startsWith('https://attacker.example/share?text=Hello'), location(r, base));
  assert(jar.get('socialhub_share_instance') === 'attacker.example', 'remembered');
  const again = await req(`${base}${evil}`, { jar });
  assert(again.status === 302, `the remembered server goes straight through: ${again.status}`);
});

await test('a POST without the picker token gets the picker to confirm', async () => {
  const r = await req(`${base}/social/share/mastodon`, { method: 'POST', form: form(null),
    headers: { origin: base } });
  assert(r.status === 200 && !r.headers.get('location'), `status ${r.status}`);
  assert(r.text_.includes('<strong>attacker.example</strong>'), 'asks to confirm');
  const bad = await req(`${base}/social/share/mastodon`, { method: 'POST', form: form('AAAAAAAAAAAAAAAAAAAAAA'),
    headers: { origin: base } });
  assert(bad.status === 200 && !bad.headers.get('location'), `forged token: status ${bad.status}`);
});

await test('a cross-site POST is refused even with a token', async () => {
  const token = await pickerToken(new Jar());
  const r = await req(`${base}/social/share/mastodon`, { method: 'POST', form: form(token),
    headers: { origin: 'https://attacker.example' } });
  assert(r.status === 403 && !r.headers.get('location'), `Origin: status ${r.status}`);
  const r2 = await req(`${base}/social/share/mastodon`, { method: 'POST', form: form(token),
    headers: { 'sec-fetch-site': 'cross-site' } });
  assert(r2.status === 403, `Sec-Fetch-Site: status ${r2.status}`);
});

console.log(`1..${n}`);
if (failures > 0) {
  console.log(`# ${failures} of ${n} failed`);
  process.exit(1);
}
console.log(`# all ${n} passed`);
