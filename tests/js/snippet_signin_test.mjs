// snippet_signin_test.mjs: sign-in started by the SHIPPED nginx snippet
// (auth_request -> 401 -> @socialhub_login -> /social/auth/login?
// return_to=$request_uri, unescaped) against oidc-provider, for protected
// URLs whose query holds an encoded space ('%20' or '+'): each must reach
// the chooser, sign in and land back on the page it asked for.
//
//   node tests/js/snippet_signin_test.mjs BASE_URL OP_ISSUER
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

const unescapeHtml = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");

// The whole trip for one protected path; `landing` is where the visitor
// must end up (the path itself unless a '+' is re-encoded as '%20').
async function trip(path, landing = path) {
  const jar = new Jar();
  const r1 = await req(`${base}${path}`, { jar });
  assert(r1.status === 302, `protected page: ${r1.status}`);
  const login = location(r1, base);
  assert(login.startsWith(`${base}/social/auth/login?return_to=`), `nginx sends to the login page: ${login}`);
  const r2 = await req(login, { jar });
  assert(r2.status === 200, `login page ${login}: ${r2.status} ${r2.text_.replace(/<[^>]+>/g, ' ').slice(0, 200)}`);
  const m = /href="([^"]*\/social\/auth\/login\/demo\?[^"]*)"/.exec(r2.text_);
  assert(m, `the chooser links to the provider: ${r2.text_.slice(0, 300)}`);
  const start = new URL(unescapeHtml(m[1]), base).toString();
  const r3 = await req(start, { jar });
  assert(r3.status === 302, `login start: ${r3.status} ${r3.text_.slice(0, 200)}`);
  const cb = await opAuthorize(location(r3, start), jar, `${base}/social/auth/callback/`, 'alice');
  const r4 = await req(cb, { jar });
  assert(r4.status === 303, `callback: ${r4.status} ${r4.text_.slice(0, 200)}`);
  const back = location(r4, base);
  assert(back === `${base}${landing}`, `lands on ${back}, wanted ${base}${landing}`);
  const r5 = await req(back, { jar });
  assert(r5.status === 200, `protected page after sign-in: ${r5.status}`);
  assert(r5.text_.includes(`uri=${landing} user=demo:alice`), `the application saw: ${r5.text_.trim()}`);
  return `${path} -> ${landing}`;
}

await test('%20 in the query: sign-in starts and lands back exactly', () => trip('/members/report?q=annual%20report'));
await test('+ in the query: sign-in starts and lands back (as %20)', () =>
  trip('/members/report?q=annual+report', '/members/report?q=annual%20report'));
await test('several %20 in the query', () =>
  trip('/members/find?q=a%20b%20c'));
await test('plain query still works', () => trip('/members/report?id=7'));
await test('the snippet still refuses an off-site return_to', async () => {
  const r = await req(`${base}/social/auth/login?return_to=//evil.example/%20x`);
  assert(r.status === 400, `status ${r.status}`);
});
await test('a blank in the path is still refused', async () => {
  for (const rt of ['/%20/evil.example', '/+/evil.example', '/a%20b']) {
    const r = await req(`${base}/social/auth/login?return_to=${rt}`);
    assert(r.status === 400, `${rt}: status ${r.status}`);
  }
});

console.log(`1..${n}`);
if (failures > 0) {
  console.log(`# ${failures} of ${n} failed`);
  process.exit(1);
}
console.log(`# all ${n} passed`);
