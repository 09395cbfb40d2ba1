// rp_client.mjs: a tiny HTTP client with a cookie jar for sign-on tests.
// Every server in the tests is 127.0.0.1, so the jar is one flat map
// (cookies are not port-scoped); redirects are followed by hand.

export class Jar {
  constructor() { this.map = new Map(); }

  update(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const maxAge = attrs.map((a) => a.trim()).find((a) => /^max-age=/i.test(a));
      if (maxAge && Number(maxAge.split('=')[1]) <= 0) this.map.delete(name);
      else this.map.set(name, value);
    }
  }

  header() {
    return [...this.map].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  names() { return [...this.map.keys()]; }

  get(name) { return this.map.get(name); }

  set(name, value) { this.map.set(name, value); }

  delete(name) { this.map.delete(name); }

  clone() {
    const j = new Jar();
    j.map = new Map(this.map);
    return j;
  }
}

// One request, no redirect following; the jar is read and updated.
export async function req(url, { method = 'GET', jar, headers = {}, form } = {}) {
  const h = { ...headers };
  if (jar && jar.map.size > 0) h.cookie = jar.header();
  let body;
  if (form !== undefined) {
    body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
    h['content-type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(url, { method, headers: h, body, redirect: 'manual' });
  if (jar) jar.update(res);
  res.text_ = await res.text();
  return res;
}

export function location(res, base) {
  const loc = res.headers.get('location');
  return loc ? new URL(loc, base).toString() : null;
}

// Follows redirects until one points at a URL starting with `stop`
// (returned without requesting it) or a non-redirect answer.
export async function follow(url, jar, stop, max = 10) {
  let cur = url;
  for (let i = 0; i < max; i++) {
    if (stop && cur.startsWith(stop)) return { url: cur, res: null };
    const res = await req(cur, { jar });
    const next = location(res, cur);
    if (!next || res.status < 300 || res.status > 399) return { url: cur, res };
    cur = next;
  }
  throw new Error(`too many redirects from ${url}`);
}

// Drives oidc-provider's dev interactions (login, then consent) from the
// authorization URL until the provider redirects to `callbackPrefix`.
// Returns that callback URL (not yet requested).
export async function opAuthorize(authUrl, jar, callbackPrefix, login = 'alice') {
  let { url, res } = await follow(authUrl, jar, callbackPrefix);
  for (let step = 0; step < 4 && res; step++) {
    const m = /action="([^"]+)"/.exec(res.text_);
    const prompt = /name="prompt" value="([a-z]+)"/.exec(res.text_);
    if (!m || !prompt) throw new Error(`unexpected provider page at ${url}: ${res.status} ${res.text_.slice(0, 200)}`);
    const action = new URL(m[1], url).toString();
    const form = prompt[1] === 'login'
      ? { prompt: 'login', login, password: 'x' } : { prompt: prompt[1] };
    const r = await req(action, { method: 'POST', jar, form });
    ({ url, res } = await follow(location(r, action), jar, callbackPrefix));
  }
  if (res) throw new Error(`provider never redirected back (at ${url})`);
  return url;
}

export function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
