// browser_share.mjs: the share bar in a real browser. Opens a demo article
// served by the test nginx (share bar included by SSI from
// /social/share/buttons.html), checks that nothing is requested outside
// 127.0.0.1, tabs through the buttons, activates one and checks that its
// navigation target is the network's intent URL — intercepted with
// page.route so nothing leaves the machine.
//
// Playwright launches Chromium with a fresh temporary profile.
// Usage: BASE=http://127.0.0.1:PORT node tests/js/browser_share.mjs
// Prints TAP; exit 0 when every check passed.
import { done, isLocal, launchChromium, ok } from './tap.mjs';

const BASE = process.env.BASE;
const EXPECT_X = 'https://x.com/intent/tweet?text=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89'
  + '&url=https%3A%2F%2Fwww.example.com%2Fnews%2Fsharing-article';
const NETWORKS = ['x', 'mastodon', 'bluesky', 'whatsapp', 'email'];

if (!BASE) {
  console.log('1..0 # SKIP BASE not set');
  process.exit(77);
}

const browser = await launchChromium();

try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  // 1. Load the article; record every request the page makes.
  const resp = await page.goto(`${BASE}/article.html`, { waitUntil: 'networkidle' });
  ok(resp && resp.status() === 200, 'article page loads');
  await page.waitForFunction(() => document.querySelector('social-share')
    && document.querySelector('social-share').dataset.total !== undefined, null, { timeout: 5000 })
    .catch(() => {});
  const outside = requests.filter((u) => !isLocal(u));
  ok(outside.length === 0, `no request outside 127.0.0.1 (${requests.length} requests)`, outside.join('\n'));
  ok(requests.some((u) => u.includes('/social/share/counts?url=')), 'share.js fetched the counts');
  ok(requests.some((u) => u.endsWith('/static/share.css')), 'share.css loaded');
  ok(consoleErrors.length === 0, 'no console errors (CSP violations included)', consoleErrors.join('\n'));

  const links = await page.$$eval('social-share a.social-share__link',
    (as) => as.map((a) => ({ net: a.dataset.network, label: a.getAttribute('aria-label'),
      text: a.textContent.trim(), href: a.getAttribute('href') })));
  ok(links.length === NETWORKS.length, `the bar has ${NETWORKS.length} links`, JSON.stringify(links));
  ok(links.every((l) => l.label && l.label.startsWith('Share') && l.text.length > 0),
    'every link has an accessible name and a visible label', JSON.stringify(links));
  ok(links.every((l) => l.href.startsWith('/social/share/')), 'links point to /social/share/{network}');
  const counted = await page.$eval('social-share a[data-network="x"]', (a) => a.getAttribute('aria-label'));
  ok(/\(1 share\)$/.test(counted), 'live count shown on the X link', counted);

  // 2. Keyboard: Tab from the top goes through the article link, then the bar.
  const hasNative = await page.evaluate(() => !!document.querySelector('.social-share__native'));
  const order = [];
  await page.focus('body');
  for (let i = 0; i < NETWORKS.length + 2 + (hasNative ? 1 : 0); i += 1) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return 'body';
      if (el.classList.contains('social-share__native')) return 'native';
      return el.dataset.network || el.id || el.tagName.toLowerCase();
    }));
  }
  const want = ['home', ...(hasNative ? ['native'] : []), ...NETWORKS];
  ok(JSON.stringify(order.slice(0, want.length)) === JSON.stringify(want),
    `focus order: ${want.join(' > ')}`, `got: ${order.join(' > ')}`);

  // 3. Activate the X link from the keyboard; intercept the navigation.
  let target = null;
  let wasNavigation = false;
  await page.route((u) => !isLocal(u.href), (route) => {
    target = target || route.request().url();
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<title>intercepted</title>' });
  });
  await page.route('**/social/share/x?*', async (route) => {
    wasNavigation = route.request().isNavigationRequest();
    const r = await route.fetch({ maxRedirects: 0 });
    target = r.headers().location || `(status ${r.status()})`;
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<title>intercepted</title>' });
  });
  await page.focus('social-share a[data-network="x"]');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  ok(wasNavigation, 'Enter on the X link navigates');
  ok(target === EXPECT_X, 'navigation target is the X intent URL', `got:  ${target}\nwant: ${EXPECT_X}`);

  // 4. And a mouse click on Mastodon leads to the instance picker.
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.goto(`${BASE}/article.html`, { waitUntil: 'load' });
  await Promise.all([page.waitForNavigation(), page.click('social-share a[data-network="mastodon"]')]);
  ok(page.url().startsWith(`${BASE}/social/share/mastodon?`), 'Mastodon opens the picker', page.url());
  ok(await page.isVisible('label[for="instance"]'), 'the picker has a labelled field');
  const outside2 = requests.filter((u) => !isLocal(u));
  ok(outside2.length === 0, 'still no request outside 127.0.0.1', outside2.join('\n'));
} catch (e) {
  ok(false, 'browser run', e.stack);
} finally {
  await browser.close();
}

done();
