// presets_test.mjs: each preset against presets_fixture.mjs, through nginx.
//
//   node tests/js/presets_test.mjs BASE_URL FIXTURE_URL
import { Jar, req, location, assert } from './rp_client.mjs';

const [base, fixture] = process.argv.slice(2);
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

function decodeHtml(s) {
  return s.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

// Signs in with a provider; returns { res (the callback answer), jar, auth }.
async function signIn(provider, query = '') {
  const jar = new Jar();
  const start = await req(`${base}/social/auth/login/${provider}?return_to=%2Fwelcome${query}`, { jar });
  if (start.status !== 302) return { res: start, jar };
  const auth = new URL(location(start, base));
  const a = await req(auth.toString());
  let res;
  if (a.status === 200 && /<form method="post"/.test(a.text_)) {
    // Apple's response_mode=form_post: the browser posts the form cross-site.
    const action = /action="([^"]+)"/.exec(a.text_)[1];
    const form = {};
    for (const m of a.text_.matchAll(/name="([^"]+)" value="([^"]*)"/g)) form[m[1]] = decodeHtml(m[2]);
    res = await req(action, { method: 'POST', jar, form });
  } else {
    assert(a.status === 302, `${provider} authorize: ${a.status} ${a.text_.slice(0, 200)}`);
    res = await req(location(a, auth.toString()), { jar });
  }
  return { res, jar, auth };
}

async function me(jar) {
  const r = await req(`${base}/social/auth/me`, { jar });
  return r.status === 200 ? JSON.parse(r.text_) : { status: r.status };
}

function expectProfile(got, want) {
  for (const [k, v] of Object.entries(want)) {
    assert(JSON.stringify(got[k]) === JSON.stringify(v), `${k}: got ${JSON.stringify(got[k])}, want ${JSON.stringify(v)}`);
  }
}

async function happy(provider, want, query = '') {
  const { res, jar, auth } = await signIn(provider, query);
  assert(res.status === 303, `callback: ${res.status} ${res.text_ ? res.text_.slice(0, 300) : ''}`);
  assert(location(res, base) === `${base}/welcome`, `to return_to: ${location(res, base)}`);
  const profile = await me(jar);
  expectProfile(profile, { provider, ...want });
  const check = await req(`${base}/social/auth/check`, { jar });
  assert(check.status === 204, `check ${check.status}`);
  return { profile, auth, jar };
}

await test('GitHub: numeric id, /user/emails primary verified address, Accept: application/json', async () => {
  const { auth } = await happy('github', {
    sub: '583231', name: 'The Octocat', email: 'octocat@example.com', email_verified: true,
    picture: 'https://avatars.githubusercontent.com/u/583231?v=4', profile_url: 'https://github.com/octocat',
  });
  assert(auth.searchParams.get('code_challenge_method') === 'S256', 'PKCE S256');
  assert(!auth.searchParams.has('nonce'), 'no nonce for plain OAuth 2');
  assert(auth.searchParams.get('scope') === 'read:user user:email', 'scopes');
});

await test('Google: both issuer forms accepted (accounts.google.com and https://...)', async () => {
  await happy('google', { sub: '110169484474386276334', name: 'Jane Doe', email: 'jane@gmail.example', email_verified: true });
  await happy('google', { sub: '110169484474386276334' });
  return 'two sign-ins, one per iss form';
});

await test('Facebook: Graph /me with appsecret_proof; email never marked verified', async () => {
  await happy('facebook', {
    sub: '10224512345678901', name: 'Mark Fixture', email: 'mark@facebook.example', email_verified: false,
    picture: 'https://platform-lookaside.fbsbx.com/p/mark.jpg', profile_url: null,
  });
});

await test('LinkedIn: OIDC at /oauth, client_secret_post, no nonce, no PKCE', async () => {
  const { auth } = await happy('linkedin', { sub: 'Ka5eB6SuQn', name: 'Lin Kedin', email: 'lin@linkedin.example', email_verified: true });
  assert(!auth.searchParams.has('nonce') && !auth.searchParams.has('code_challenge'), 'no nonce, no PKCE');
});

await test('X: PKCE + Basic client auth, /2/users/me', async () => {
  const { auth } = await happy('x', {
    sub: '2244994945', name: 'X Developers', profile_url: 'https://x.com/XDevelopers',
    picture: 'https://pbs.twimg.com/profile_images/xdev_normal.jpg', email: null,
  });
  assert(auth.searchParams.get('code_challenge_method') === 'S256', 'PKCE');
});

await test('Microsoft: tenant issuer from tid, oid@tid subject, email not trusted', async () => {
  await happy('microsoft', {
    sub: '00000000-0000-0000-66f3-3332eca7ea81@72f988bf-86f1-41af-91ab-2d7cd011db47',
    name: 'Megan Bowen', email: 'ceo@contoso.example', email_verified: false,
  });
});

await test('Microsoft: a tenant outside the allowed list is refused', async () => {
  await fetch(`${fixture}/control`, { method: 'POST', body: JSON.stringify({ msTenant: '11111111-1111-1111-1111-111111111111' }) });
  const { res, jar } = await signIn('microsoft');
  await fetch(`${fixture}/control`, { method: 'POST', body: JSON.stringify({ msTenant: null }) });
  assert(res.status === 400, `status ${res.status}`);
  assert((await me(jar)).status === 401, 'no session');
});

await test('GitLab (self-managed issuer): OIDC with userinfo', async () => {
  await happy('gitlab', { sub: '1', name: 'Tanuki Admin', email: 'admin@gitlab.example', email_verified: true });
});

await test('Apple: form_post callback, ES256 client secret, name only on the first login', async () => {
  const first = await happy('apple', {
    sub: '001234.0ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5.1234', name: 'Ada Lovelace',
    email: 'ada@privaterelay.appleid.com', email_verified: true,
  });
  assert(first.auth.searchParams.get('response_mode') === 'form_post', 'response_mode=form_post');
  assert(first.auth.searchParams.get('scope') === 'name email', 'scope');
  await happy('apple', { sub: '001234.0ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5.1234', name: null });
  return 'second login has no name, as with Apple';
});

await test('Mastodon 4.3+: registers once per instance, profile scope, PKCE', async () => {
  const s0 = await (await fetch(`${fixture}/stats`)).json();
  const { auth } = await happy('mastodon', {
    sub: '109302435209385@social.example', name: 'Alice 🐘', profile_url: 'https://social.example/@alice',
    picture: 'https://files.social.example/avatars/alice.png', email: null,
  }, '&instance=Social.Example');
  assert(auth.searchParams.get('scope') === 'profile', `scope ${auth.searchParams.get('scope')}`);
  assert(auth.searchParams.get('code_challenge_method') === 'S256', 'PKCE');
  await happy('mastodon', { sub: '109302435209385@social.example' }, '&instance=social.example');
  const s1 = await (await fetch(`${fixture}/stats`)).json();
  assert(s1.mastodon_apps === s0.mastodon_apps + 1, `registrations: ${s1.mastodon_apps - s0.mastodon_apps}`);
  return 'one registration for two sign-ins';
});

await test('Mastodon (older instance): read:accounts scope, no metadata', async () => {
  await happy('mastodon_old', { sub: '109302435209385@old.example' }, '&instance=old.example');
});

await test('Mastodon: the instance is validated and allow-listed', async () => {
  for (const [inst, status] of [['127.0.0.1', 400], ['localhost', 400], ['evil..example', 400],
    ['social.example:8080', 400], ['other.example', 403], ['', 400]]) {
    const r = await req(`${base}/social/auth/login/mastodon?instance=${encodeURIComponent(inst)}`);
    assert(r.status === status, `instance "${inst}": ${r.status}, want ${status}`);
  }
});

await test('the fixtures saw no protocol violation', async () => {
  const s = await (await fetch(`${fixture}/stats`)).json();
  assert(s.violations.length === 0, s.violations.join('; '));
  return Object.entries(s.hits).map(([k, v]) => `${k}=${v}`).join(' ');
});

console.log(`1..${n}`);
if (failures > 0) {
  console.log(`# ${failures} of ${n} failed`);
  process.exit(1);
}
console.log(`# all ${n} passed`);
