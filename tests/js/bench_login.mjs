// bench_login.mjs: signs in once and prints the session cookie for wrk.
//
//   node tests/js/bench_login.mjs socialhub BASE OP_ISSUER   (provider "demo")
//   node tests/js/bench_login.mjs apache BASE OP_ISSUER      (mod_auth_openidc)
// Prints "name=value" of the relying party's session cookie.
import { get } from 'node:http';
import { Jar, req, opAuthorize } from './rp_client.mjs';

const [kind, base, op] = process.argv.slice(2);
const jar = new Jar();
// mod_auth_openidc binds its state to the User-Agent: send the same one.
const UA = 'socialhub-bench';
let start;
let callbackPrefix;
let cookieName;
if (kind === 'socialhub') {
  start = `${base}/social/auth/login/demo?return_to=%2Fprotected%2Findex.html`;
  callbackPrefix = `${base}/social/auth/callback/`;
  cookieName = 'socialhub_session';
} else {
  start = `${base}/protected/index.html`;
  callbackPrefix = `${base}/protected/redirect_uri`;
  cookieName = 'mod_auth_openidc_session';
}
// mod_auth_openidc answers 401 to what does not look like a browser
// navigation, and fetch() always says Sec-Fetch-Mode: cors: plain http here.
function navigate(url) {
  return new Promise((resolve, reject) => {
    get(url, { headers: { accept: 'text/html', 'user-agent': UA } }, (res) => {
      jar.update({ headers: { getSetCookie: () => res.headers['set-cookie'] || [] } });
      res.resume();
      resolve({ status: res.statusCode, location: res.headers.location });
    }).on('error', reject);
  });
}
const r = await navigate(start);
const auth = r.location ? new URL(r.location, base).toString() : null;
if (!auth || !auth.startsWith(op)) throw new Error(`${kind}: no redirect to the provider (${r.status})`);
const cb = await opAuthorize(auth, jar, callbackPrefix, 'bench');
const res = await req(cb, { jar, headers: { 'user-agent': UA } });
if (res.status < 300 || res.status > 399 || !jar.get(cookieName)) {
  throw new Error(`${kind}: callback ${res.status} without ${cookieName}: ${res.text_.slice(0, 200)}`);
}
console.log(`${cookieName}=${jar.get(cookieName)}`);
