// browser_moderation.mjs: an agency moderator in Debian chromium
// (playwright-core) signs in through real nginx at the real oidc-provider,
// sees the queued items of the hashtag and search fixtures, approves one,
// rejects one and pins one with the console's forms; the public stream
// shows exactly the approved and the pinned within 5 s; the same person
// gets 403 on another market's stream and on connections, and no page
// links Connections for them;
// the audit log lists the three decisions with identity and time.
//
//   node tests/js/browser_moderation.mjs BASE_URL OP_ISSUER [SCREENSHOT_DIR]
import { join } from 'node:path';
import { done, isLocal, launchChromium, ok as check } from './tap.mjs';

const [base, op, shots] = process.argv.slice(2);

const FAN = 'https://social.example/users/fan/statuses/2001';
const SHOP = 'at://did:plc:shopperaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3kb1';

const browser = await launchChromium();
const context = await browser.newContext();
try {
  const page = await context.newPage();
  await page.route('**/*', (route) => (isLocal(route.request().url()) ? route.continue() : route.abort()));
  const cspErrors = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.headers().origin); });
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  const shot = async (name) => { if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true }); };

  // 1. The console sends the visitor to sign in, then back to the queue.
  await page.goto(`${base}/social/admin/moderation/de`);
  check(page.url().startsWith(`${base}/social/auth/login?return_to=`), 'the console sends a visitor to sign in', page.url());
  await page.getByRole('link', { name: 'Sign in with Demo ID' }).click();
  await page.waitForURL(`${op}/**`);
  await page.fill('input[name=login]', 'agent');
  await page.fill('input[name=password]', 'any password');
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  if (page.url().startsWith(`${op}/interaction/`)) await page.click('button[type=submit]');
  await page.waitForURL(`${base}/social/admin/moderation/de`);
  await shot('1-queue');
  const rows = page.locator('form.social-mod__queue tbody tr');
  const texts = await rows.allTextContents();
  check(texts.length === 5, 'the queue holds the five pending items', JSON.stringify(texts));
  for (const t of ['Official: the #brandlaunch', 'Love the new', 'nice launch', 'Shopping at Example Brand', 'first to see'])
    check(texts.some((x) => x.includes(t)), `queued: "${t}"`);
  check(texts.some((x) => x.includes('<img src=x onerror=alert(9)>Mallory')), 'the hostile display name is shown as text');
  const previews = await page.locator('img.social-mod__img').evaluateAll((imgs) =>
    imgs.map((i) => ({ src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0 })));
  check(previews.length > 0 && previews.every((p) => p.src.startsWith('/social/media/') && p.ok),
    'picture previews load through the media proxy', JSON.stringify(previews));

  // The script's keys: x ticks the current row, j moves down.
  await page.keyboard.press('x');
  const first = rows.nth(0).locator('input[name=key]');
  check(await first.isChecked(), 'key x ticks the current row');
  await page.keyboard.press('x');
  await page.keyboard.press('j');
  check(!(await first.isChecked()) && (await rows.nth(1).getAttribute('class')) === 'is-current',
    'x again unticks it, j moves to the next row');

  // 2. Approve one, reject one, pin one (a form POST each, no JS needed).
  const decide = async (text, action, pin) => {
    const row = rows.filter({ hasText: text });
    await row.locator('input[name=key]').check();
    if (pin) await page.fill('input[name=pin]', String(pin));
    await Promise.all([page.waitForNavigation(), page.click(`button[name=action][value=${action}]`)]);
    if ((await page.title()).includes('Not allowed') || (await page.content()).includes('"error"')) throw new Error(`${action}: refused; POST origins ${JSON.stringify(posts)}; ${(await page.textContent('body')).slice(0, 200)}`);
    if (!page.url().endsWith('/social/admin/moderation/de')) throw new Error(`${action}: ${page.url()} ${(await page.textContent('body')).slice(0, 200)}`);
  };
  await decide('Love the new', 'approve');
  await decide('nice launch', 'reject');
  await decide('Shopping at Example Brand', 'pin', 1);
  const t0 = Date.now();   // the last decision made
  await shot('2-after-decisions');
  check((await rows.count()) === 2, 'two items left pending', String(await rows.count()));

  // 3. The public stream: exactly the pinned, then the approved, within
  // 5 s, as a visitor without a cached copy gets it (a cached copy lives
  // 5 s more: doc/moderation.md, "Caches").
  let ids = [];
  while (Date.now() - t0 < 5000) {
    const r = await page.evaluate(async () => (await fetch('/social/streams/de.json?limit=100',
      { cache: 'no-store' })).json());
    ids = r.items.map((i) => i.id);
    if (JSON.stringify(ids) === JSON.stringify([SHOP, FAN])) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  check(JSON.stringify(ids) === JSON.stringify([SHOP, FAN]),
    `the public stream shows exactly the pinned and the approved within 5 s (${Date.now() - t0} ms)`, JSON.stringify(ids));
  await page.goto(`${base}/social/admin/moderation/de/preview`);
  await shot('3-preview');
  const preview = await page.textContent('main');
  check(preview.includes('Shopping at Example Brand') && preview.includes('Love the new') && !preview.includes('nice launch'),
    'the preview shows what visitors see');

  // 4. Another market's stream and connections are not this person's.
  let resp = await page.goto(`${base}/social/admin/moderation/fr`);
  check(resp.status() === 403, 'another market\'s stream: 403', String(resp.status()));
  resp = await page.goto(`${base}/social/admin/connections`);
  check(resp.status() === 403, 'connections: 403 for the moderator', String(resp.status()));
  for (const path of ['/social/admin', '/social/admin/moderation', '/social/admin/moderation/de']) {
    await page.goto(`${base}${path}`);
    const nav = await page.locator('nav.social-admin__nav a').allTextContents();
    check(JSON.stringify(nav) === JSON.stringify(['Overview', 'Moderation']),
      `${path}: the nav links Overview and Moderation, no Connections`, JSON.stringify(nav));
    check((await page.getByRole('link', { name: 'Connections' }).count()) === 0 &&
      !(await page.content()).includes('admin/connections'), `${path}: no Connections link anywhere on the page`);
  }
  await page.goto(`${base}/social/admin`);
  await page.locator('ul.social-admin__pages').getByRole('link', { name: 'Moderation' }).click();
  await page.waitForURL(`${base}/social/admin/moderation`);
  check((await page.getByRole('link', { name: 'Brand DE' }).count()) === 1 &&
    (await page.getByRole('link', { name: 'fr', exact: true }).count()) === 0,
    'the home page\'s Moderation link leads to the moderator\'s streams only');

  // 5. The audit log: the three decisions with identity and time.
  const audit = await page.evaluate(async () => (await fetch('/social/admin/moderation/de/audit.json')).json());
  const acts = audit.entries.map((e) => e.action).sort();
  check(JSON.stringify(acts) === JSON.stringify(['approve', 'pin', 'reject']), 'audit: approve, reject, pin', JSON.stringify(audit.entries));
  check(audit.entries.every((e) => e.who.startsWith('demo:agent') && Math.abs(e.at * 1000 - Date.now()) < 120000),
    'audit: each with the moderator\'s identity and the time', JSON.stringify(audit.entries));
  check(cspErrors.length === 0, 'no Content-Security-Policy violation', cspErrors.join(' | '));
  check(dialogs.length === 0, 'no script from queued content ran', dialogs.join(' | '));
} catch (e) {
  check(false, 'the browser run', e.stack.split('\n').slice(0, 3).join(' '));
} finally {
  await browser.close();
}
done();
