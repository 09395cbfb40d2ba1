// signin_cookie.mjs: signs LOGIN in at the oidc-provider fixture (op.mjs)
// through socialhub at BASE and prints the session cookie ("name=value").
//
//   node tests/js/signin_cookie.mjs BASE_URL LOGIN [PROVIDER]
import { Jar, req, location, opAuthorize, assert } from './rp_client.mjs';

const [base, login, provider = 'demo'] = process.argv.slice(2);
const jar = new Jar();
const start = await req(`${base}/social/auth/login/${provider}?return_to=%2F`, { jar });
assert(start.status === 302, `login start: ${start.status}`);
const cb = await opAuthorize(location(start, base), jar, `${base}/social/auth/callback/`, login);
const res = await req(cb, { jar });
assert(res.status === 303, `callback: ${res.status} ${res.text_.slice(0, 200)}`);
const name = jar.names().find((k) => /socialhub_session$/.test(k));
assert(name, `no session cookie (have ${jar.names().join(', ')})`);
console.log(`${name}=${jar.get(name)}`);
