// cluster_login.mjs: a sign-in started on one node and finished on
// another, then its callback replayed on a third (with the state cookie
// the browser had before the callback). Prints one JSON line:
// {start, callback, replay, replay_text, cookie}.
//
//   node tests/js/cluster_login.mjs SITE_BASE NODE1 NODE2 NODE3 [LOGIN]
import { Jar, req, location, opAuthorize } from './rp_client.mjs';

const [site, n1, n2, n3, login = 'alice'] = process.argv.slice(2);
const onNode = (url, node) => { const u = new URL(url); const b = new URL(node); u.port = b.port; return u.toString(); };
const jar = new Jar();
const start = await req(`${n1}/social/auth/login/demo?return_to=%2F`, { jar });
const out = { start: start.status };
if (start.status === 302) {
  const cb = await opAuthorize(location(start, n1), jar, `${site}/social/auth/callback/`, login);
  const before = jar.clone();
  const done = await req(onNode(cb, n2), { jar });
  out.callback = done.status;
  const name = jar.names().find((k) => /socialhub_session$/.test(k));
  out.cookie = name ? `${name}=${jar.get(name)}` : '';
  const replay = await req(onNode(cb, n3), { jar: before });
  out.replay = replay.status;
  out.replay_text = replay.text_.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(0, 300);
}
console.log(JSON.stringify(out));
