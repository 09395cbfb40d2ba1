// browser_widgets.mjs: the embed elements on the demo page in a real browser
// (Debian chromium through playwright-core). The page comes from
// deploy/demo/run.sh: nginx + socialhub + the fixture feeds on 127.0.0.1.
//
// Demo page: the stream renders in each layout (list from SSI, grid and
// carousel filled by embed.js), images load through the media proxy,
// "Load more" appends the next page and moves focus to it, keyboard focus
// follows document order, carousel controls scroll, the lightbox traps
// focus and closes on Escape, and every request went to 127.0.0.1.
// XSS page: the hostile feed rendered twice; hovering and clicking
// everything runs nothing (window.__xss stays unset, no dialog) and the
// console stays clean.
//
// Usage: BASE=http://127.0.0.1:PORT node tests/js/browser_widgets.mjs
// Prints TAP; exit 0 when every check passed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { done, isLocal, launchChromium, ok } from './tap.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const BASE = process.env.BASE;
if (!BASE) {
  console.log('1..0 # SKIP BASE not set');
  process.exit(77);
}

const browser = await launchChromium();

// Watches a page: requests, console errors, page errors, dialogs.
function watch(page) {
  const w = { requests: [], errors: [], dialogs: [] };
  page.on('request', (r) => w.requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') w.errors.push(m.text()); });
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => { w.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  return w;
}

async function demoPage(context) {
  const page = await context.newPage();
  const w = watch(page);
  const resp = await page.goto(`${BASE}/`, { waitUntil: 'networkidle' });
  ok(resp && resp.status() === 200, 'demo page loads');
  ok((resp.headers()['content-security-policy'] || '').includes("default-src 'self'"),
    'the demo page runs under a strict CSP');

  // 1. Every layout renders.
  for (const [id, layout, min] of [['stream-list', 'list', 4], ['stream-grid', 'grid', 6],
    ['stream-carousel', 'carousel', 8]]) {
    await page.waitForSelector(`#${id} .social-stream--${layout} .social-stream__item`, { timeout: 5000 })
      .catch(() => {});
    const count = await page.$$eval(`#${id} .social-stream__item`, (a) => a.length);
    ok(count === min, `${layout}: ${min} posts rendered`, `got ${count}`);
  }
  ok(await page.$eval('#stream-list .social-stream', (s) => s.dataset.enhanced === '1'),
    'the server-rendered list is enhanced');
  ok(await page.$$eval('#stream-carousel .social-stream__controls button', (b) => b.length) === 2,
    'the carousel has previous/next buttons');
  await page.waitForFunction(() => [...document.querySelectorAll('social-stream img')]
    .every((i) => i.complete), null, { timeout: 5000 }).catch(() => {});
  const imgs = await page.$$eval('social-stream img, social-profiles img', (a) => a.map((i) => ({
    src: i.getAttribute('src'), w: i.naturalWidth, alt: i.hasAttribute('alt') })));
  ok(imgs.length > 0 && imgs.every((i) => i.src.startsWith(`${BASE}/social/media/`)),
    `every widget image (${imgs.length}) comes from the media proxy`,
    imgs.filter((i) => !i.src.startsWith(`${BASE}/social/media/`)).map((i) => i.src).join('\n'));
  const eager = imgs.filter((i) => i.w > 0).length;
  ok(eager > 0, `images decode (${eager} loaded so far, the rest are lazy)`);
  ok(imgs.every((i) => i.alt), 'every image has an alt attribute');
  ok(await page.$$eval('social-profiles .h-card', (a) => a.length) === 4, 'four profile cards');
  await page.waitForSelector('social-login[data-state]', { timeout: 3000 }).catch(() => {});
  ok(await page.$eval('social-login', (e) => e.dataset.state === 'signed-out'
    && !!e.querySelector('.social-login-providers')), '<social-login> loads /auth/button.html');
  ok(await page.evaluate(() => ['social-stream', 'social-profiles', 'social-login', 'social-share']
    .every((n) => !!customElements.get(n))), 'the one bundle defines all four elements');

  // 2. Load more: four more posts, announced, focus on the first new one.
  const more = page.locator('#stream-list button.social-stream__next');
  ok(await more.count() === 1, '"Load more" is a button');
  await more.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#stream-list .social-stream__item').length === 8,
    null, { timeout: 5000 }).catch(() => {});
  const after = await page.$$eval('#stream-list .social-stream__item', (a) => a.length);
  ok(after === 8, 'Load more appends the next four posts', `got ${after}`);
  const focus = await page.evaluate(() => {
    const a = document.activeElement;
    const items = [...document.querySelectorAll('#stream-list .social-stream__item')];
    return { tag: a.tagName, index: items.indexOf(a) };
  });
  ok(focus.tag === 'ARTICLE' && focus.index === 4, 'focus moves to the first new post', JSON.stringify(focus));
  await page.waitForTimeout(150);
  const status = await page.$eval('#stream-list [role="status"]', (s) => s.textContent);
  ok(status === '4 more posts loaded', 'a live region announces the new posts', status);
  const ids = await page.$$eval('#stream-list .social-stream__permalink', (a) => a.map((x) => x.href));
  ok(new Set(ids).size === ids.length, 'no post twice after loading more');

  // 3. Keyboard: Tab from the first new post visits one stop per post (its
  // permalink; other links are tabindex=-1), in document order, then Load more.
  const expected = await page.evaluate(() => {
    const items = [...document.querySelectorAll('#stream-list .social-stream__item')].slice(4);
    const f = items.flatMap((it) => [...it.querySelectorAll('a[href], button')]
      .filter((e) => e.tabIndex >= 0));
    f.push(document.querySelector('#stream-list button.social-stream__next'));
    f.forEach((e, i) => { e.dataset.tabTest = String(i); });
    return f.length;
  });
  const order = [];
  for (let i = 0; i < expected; i += 1) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement.dataset.tabTest || document.activeElement.tagName));
  }
  const want = [...Array(expected).keys()].map(String);
  ok(JSON.stringify(order) === JSON.stringify(want), `Tab order follows the posts (${expected} stops)`,
    `got ${order.join(',')}`);

  // 4. Carousel controls scroll by a card.
  const car = '#stream-carousel .social-stream__list';
  const x0 = await page.$eval(car, (l) => l.scrollLeft);
  await page.click('#stream-carousel .social-stream__next-slide');
  await page.waitForFunction((s) => document.querySelector(s).scrollLeft > 0, car, { timeout: 3000 }).catch(() => {});
  const x1 = await page.$eval(car, (l) => l.scrollLeft);
  ok(x1 > x0, 'the carousel "next" button scrolls', `${x0} -> ${x1}`);
  await page.waitForTimeout(600);
  ok(!(await page.$eval('#stream-carousel .social-stream__prev', (b) => b.disabled)),
    '"previous" is enabled after scrolling');

  // 5. Lightbox: opens on a media link, traps focus, closes on Escape, focus returns.
  const opener = page.locator('#stream-grid a.social-stream__media-link').first();
  await opener.scrollIntoViewIfNeeded();
  await opener.click();
  const open = await page.waitForSelector('dialog.social-lightbox[open]', { timeout: 3000 }).catch(() => null);
  ok(open !== null, 'a click on a post image opens the lightbox');
  if (open) {
    const inBox = async () => page.evaluate(() => !!document.activeElement.closest('dialog.social-lightbox'));
    ok(await inBox(), 'focus is in the lightbox');
    let trapped = true;
    for (let i = 0; i < 4; i += 1) {
      await page.keyboard.press(i % 2 ? 'Shift+Tab' : 'Tab');
      trapped = trapped && await inBox();
    }
    ok(trapped, 'Tab and Shift+Tab stay in the lightbox');
    const src = await page.$eval('dialog.social-lightbox img', (i) => i.getAttribute('src'));
    ok(src.startsWith(`${BASE}/social/media/`), 'the lightbox image is ours');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(100);
    ok(!(await page.$eval('dialog.social-lightbox', (d) => d.open)), 'Escape closes the lightbox');
    ok(await page.evaluate(() => document.activeElement.classList.contains('social-stream__media-link')),
      'focus returns to the image link');
  }

  // 6. Reduced motion.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  ok(await page.$eval(car, (l) => getComputedStyle(l).scrollBehavior) === 'auto',
    'prefers-reduced-motion turns smooth scrolling off');

  const outside = w.requests.filter((u) => !isLocal(u));
  ok(outside.length === 0, `no request outside 127.0.0.1 (${w.requests.length} requests)`, outside.join('\n'));
  ok(w.requests.some((u) => u.includes('/social/streams/brand.html?')), 'embed.js fetched a stream fragment');
  ok(w.errors.length === 0, 'no console errors on the demo page', w.errors.join('\n'));
  // axe-core on the demo page, light and dark: no serious or critical issue
  // (its own context: the demo's CSP refuses axe's inline script).
  const axeCtx = await browser.newContext({ bypassCSP: true });
  const axePage = await axeCtx.newPage();
  await axePage.goto(`${BASE}/`, { waitUntil: 'networkidle' });
  await axePage.waitForSelector('#stream-carousel .social-stream__item', { timeout: 5000 }).catch(() => {});
  for (const scheme of ['light', 'dark']) {
    await axePage.emulateMedia({ colorScheme: scheme });
    await axePage.addScriptTag({ content: AXE });
    const res = await axePage.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    console.log(`# axe demo (${scheme}): ${res.violations.length} violations, ${bad.length} serious or critical`);
    ok(bad.length === 0, `axe on the demo (${scheme}): 0 serious or critical violations`,
      bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0].target}`).join('\n'));
  }
  await axeCtx.close();
  await page.close();
}

async function xssPage(context) {
  const page = await context.newPage();
  const w = watch(page);
  await page.addInitScript(() => {
    Object.defineProperty(window, '__xss', {
      configurable: false,
      get() { return window.__xssSeen; },
      set(v) { window.__xssSeen = v === undefined ? 'undefined' : String(v); },
    });
  });
  const resp = await page.goto(`${BASE}/xss.html`, { waitUntil: 'networkidle' });
  ok(resp && resp.status() === 200, 'XSS page loads');
  await page.waitForSelector('#xss-js .social-stream__item', { timeout: 5000 }).catch(() => {});
  const counts = await page.evaluate(() => [...document.querySelectorAll('social-stream')]
    .map((s) => s.querySelectorAll('.social-stream__item').length));
  ok(counts.length === 2 && counts.every((c) => c === 12), 'both hostile streams render 12 posts', counts);
  // Give every handler a chance: hover and click everything that is not a link.
  await page.evaluate(() => {
    document.querySelectorAll('social-stream p, social-stream div, social-stream span, social-stream li, social-stream figure')
      .forEach((e) => { if (!e.closest('a') && !e.querySelector('a')) e.dataset.poke = '1'; });
  });
  const targets = await page.$$('[data-poke]');
  for (const t of targets.slice(0, 200)) {
    await t.hover({ timeout: 200, force: true }).catch(() => {});
    await t.click({ timeout: 200, force: true, noWaitAfter: true }).catch(() => {});
    if (page.url() !== `${BASE}/xss.html`) {
      await page.goBack().catch(() => {});
    }
  }
  await page.keyboard.press('Escape');
  await page.waitForTimeout(300);
  const xss = await page.evaluate(() => window.__xssSeen);
  ok(xss === undefined, 'window.__xss stays unset', `set to ${xss}`);
  ok(w.dialogs.length === 0, 'no alert/confirm dialog', w.dialogs.join('\n'));
  const scripts = await page.$$eval('social-stream script, social-stream iframe, social-stream svg, social-stream object, social-stream embed',
    (a) => a.length);
  ok(scripts === 0, 'no script, iframe, svg, object or embed in the widgets');
  const handlers = await page.evaluate(() => [...document.querySelectorAll('social-stream *')]
    .flatMap((e) => [...e.attributes].map((a) => a.name)).filter((a) => a.startsWith('on') || a === 'style'));
  ok(handlers.length === 0, 'no event handler or style attribute', handlers.join(','));
  const hrefs = await page.$$eval('social-stream a[href]', (a) => a.map((x) => x.href));
  ok(hrefs.every((h) => /^(https?:|mailto:)/.test(h)), 'every link is http(s) or mailto', hrefs.filter((h) => !/^(https?:|mailto:)/.test(h)).join('\n'));
  const outside = w.requests.filter((u) => !isLocal(u));
  ok(outside.length === 0, `no request outside 127.0.0.1 (${w.requests.length} requests)`, outside.join('\n'));
  ok(w.errors.length === 0, 'no console error on the XSS page', w.errors.join('\n'));
  await page.close();
}

try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await demoPage(context);
  await xssPage(context);
} catch (e) {
  ok(false, 'browser run', e.stack);
} finally {
  await browser.close();
}

done();
