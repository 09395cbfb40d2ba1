// browser_layout.mjs: every widget layout in a plain host page with no CSS
// reset (list, grid, carousel, profiles, share bar; SSI through the shipped
// nginx snippet, plus a grid filled by embed.js), at 390, 768 and 1280 px,
// light and dark. For each: no two cards overlap, no text leaves its card,
// nothing covers a control, Tab stops = posts + controls; a screenshot.
// Then axe-core (0 serious or critical), the bundle size (<= 14 KB gzip),
// keyboard details (focus visible, reduced motion, nothing announced on
// load), the no-JS path (Load more opens a whole page) and the same widgets
// on another origin from one <script> tag.
//
// Every host-page check runs in en, de, ja and ar (right to left); then,
// for de and ja, the stream the server wrote into the page (SSI) against
// the one embed.js fetched and rendered: the same times, counts and words.
//
// Usage: BASE=http://127.0.0.1:P HOST=http://127.0.0.1:Q SHOTS=DIR
//        [KEEP_SHOTS=DIR] node tests/js/browser_layout.mjs
// Prints TAP; exit 0 when every check passed.
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { done, launchChromium, ok } from './tap.mjs';

const { BASE, HOST, SHOTS, KEEP_SHOTS } = process.env;
if (!BASE || !HOST || !SHOTS) {
  console.log('1..0 # SKIP BASE, HOST or SHOTS not set');
  process.exit(77);
}
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
mkdirSync(SHOTS, { recursive: true });

const browser = await launchChromium();

// Waits until every widget on the page has its content and images.
async function settle(page, streams) {
  await page.waitForFunction((n) => document.querySelectorAll('social-stream .social-stream[data-enhanced]').length === n
    && [...document.querySelectorAll('social-stream img, social-profiles img')].every((i) => i.complete),
  streams, { timeout: 10000 }).catch(() => {});
  await page.evaluate(() => document.fonts.ready);
}

// The geometry checks, in the page: overlaps, overflow, covered controls.
async function geometry() {
  const out = { cards: 0, overlaps: [], overflow: [], covered: [], blank: [] };
  const r = (e) => e.getBoundingClientRect();
  const eps = 0.5;
  const widgets = [...document.querySelectorAll('social-stream, social-profiles, social-share')];
  const all = [];
  for (const w of widgets) {
    const cards = [...w.querySelectorAll('.social-stream__item, .social-profiles__card, .social-share__item')];
    out.cards += cards.length;
    cards.forEach((c) => all.push(c));
    // Text outside its card (text nodes, measured by ranges).
    for (const c of cards) {
      const cr = r(c);
      const walk = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
      for (let t = walk.nextNode(); t; t = walk.nextNode()) {
        if (!t.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(t);
        for (const tr of range.getClientRects()) {
          if (tr.width === 0) continue;
          if (tr.left < cr.left - eps || tr.right > cr.right + eps || tr.top < cr.top - eps
            || tr.bottom > cr.bottom + eps) {
            out.overflow.push(`${c.className.split(' ')[0]}: "${t.textContent.trim().slice(0, 30)}"`);
            break;
          }
        }
      }
      for (const img of c.querySelectorAll('img')) {
        const ir = r(img);
        if (ir.width && (ir.left < cr.left - eps || ir.right > cr.right + eps || ir.bottom > cr.bottom + eps)) {
          out.overflow.push(`${c.className.split(' ')[0]}: img`);
        }
      }
    }
  }
  // A card without a picture in a grid or carousel is as tall as its text.
  for (const c of document.querySelectorAll('.social-stream--grid .social-stream__item, .social-stream--carousel .social-stream__item')) {
    if (c.querySelector('.social-stream__media, .social-stream__gallery')) continue;
    const last = [...c.children].filter((k) => r(k).height > 0).pop();
    const gap = last ? r(c).bottom - r(last).bottom : 0;
    if (gap > 32) out.blank.push(`${c.className.split(' ')[2] || 'card'}: ${Math.round(gap)} px blank`);
  }
  // Any two cards, and every card against the widgets' controls.
  const controls = [...document.querySelectorAll('social-stream button, .social-stream__more, social-share a, social-share button')];
  const boxes = all.concat(controls);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      if (boxes[i].contains(boxes[j]) || boxes[j].contains(boxes[i])) continue;
      const a = r(boxes[i]);
      const b = r(boxes[j]);
      if (a.width === 0 || b.width === 0) continue;
      if (a.left < b.right - eps && b.left < a.right - eps && a.top < b.bottom - eps && b.top < a.bottom - eps) {
        out.overlaps.push(`${boxes[i].className.split(' ')[0]} #${i} x ${boxes[j].className.split(' ')[0]} #${j}`);
      }
    }
  }
  // Nothing on top of a control: the control is what its centre hits.
  const tabbable = [...document.querySelectorAll('social-stream a[href], social-stream button, social-profiles a[href], social-share a[href], social-share button')]
    .filter((e) => e.tabIndex >= 0 && !e.disabled);
  for (const e of tabbable) {
    // In a carousel, bring the whole card in (the list snaps to card starts).
    (e.closest('.social-stream--carousel .social-stream__cell') || e)
      .scrollIntoView({ block: 'center', inline: 'start', behavior: 'instant' });
    // A carousel scrolls (and snaps) on its own time: wait two frames.
    await new Promise((ok2) => requestAnimationFrame(() => requestAnimationFrame(ok2)));
    const b = r(e);
    const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
    if (!hit || !(hit === e || e.contains(hit))) {
      out.covered.push(`${e.className || e.tagName} at ${Math.round(b.left)},${Math.round(b.top)} (${innerWidth}x${innerHeight}) under ${hit ? hit.className || hit.tagName : 'nothing'}`);
    }
  }
  window.scrollTo(0, 0);
  return out;
}

// Expected tab stops: one per post or profile with a link, plus controls.
function expectedStops() {
  const posts = document.querySelectorAll('social-stream article:has(a.social-stream__permalink)').length;
  const profiles = document.querySelectorAll('social-profiles .social-profiles__card:has(a[href])').length;
  const all = [...document.querySelectorAll('social-stream button, social-share a[href], social-share button')];
  const controls = all.filter((e) => !e.disabled).length;
  return { posts, profiles, controls, all: all.length };
}

// Presses Tab through the page; sorts the stops inside widgets into posts
// (the permalink), profiles (the name), controls (buttons, share links) and
// anything else (a second stop in a post: must be none).
async function tabStops(page) {
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  const seen = [];
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const s = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      if (!e.dataset.tabSeen) e.dataset.tabSeen = String(Math.random());
      let kind = 'other';
      if (e.matches('a.social-stream__permalink')) kind = 'post';
      else if (e.matches('.social-profiles__card a')) kind = 'profile';
      else if (e.matches('social-stream button, social-share a, social-share button')) kind = 'control';
      return { id: e.dataset.tabSeen, kind, what: e.className || e.tagName,
        inWidget: !!e.closest('social-stream, social-profiles, social-share') };
    });
    if (!s || (seen.length && s.id === seen[0].id)) break;
    seen.push(s);
  }
  const w = seen.filter((s) => s.inWidget);
  const n = (k) => w.filter((s) => s.kind === k).length;
  return { total: w.length, post: n('post'), profile: n('profile'), control: n('control'),
    other: w.filter((s) => s.kind === 'other').map((s) => s.what) };
}

// The host page of each language and the words it must show.
const LANGS = {
  en: { page: 'host.html', dir: 'ltr', more: 'Load more', prev: 'Previous posts' },
  de: { page: 'host-de.html', dir: 'ltr', more: 'Mehr laden', prev: 'Vorherige Beiträge' },
  ja: { page: 'host-ja.html', dir: 'ltr', more: 'さらに読み込む', prev: '前の投稿' },
  ar: { page: 'host-ar.html', dir: 'rtl', more: 'تحميل المزيد', prev: 'المنشورات السابقة' },
};

// The words of the page's widgets, for the language checks.
function pageWords() {
  const s = [...document.querySelectorAll('social-stream .social-stream')];
  return {
    langs: [...new Set(s.map((e) => `${e.lang}/${e.dir}`))],
    more: [...document.querySelectorAll('social-stream button.social-stream__next')].map((b) => b.textContent),
    prev: document.querySelector('.social-stream__prev')?.getAttribute('aria-label'),
    items: document.querySelectorAll('social-stream article').length,
    itemLang: document.querySelectorAll('social-stream article[lang][dir]').length,
    share: document.querySelector('social-share')?.getAttribute('aria-label'),
    // Posts of no known language (dir="auto", no lang) whose text is
    // English: laid out left to right whatever the page's direction, the
    // text starting at the card's left edge.
    auto: [...document.querySelectorAll('social-stream article[dir="auto"]:not([lang])')]
      .map((a) => [a, a.querySelector('.e-content')])
      .filter(([, t]) => t && /^[\s!-~]*[A-Za-z]/.test(t.innerText))
      .map(([a, t]) => {
        const r = document.createRange();
        r.selectNodeContents(t);
        const lines = [...r.getClientRects()].filter((x) => x.width > 0);
        const last = lines[lines.length - 1];
        const box = t.getBoundingClientRect();
        return {
          ltr: getComputedStyle(a).direction === 'ltr' && a.matches(':dir(ltr)'),
          left: last ? Math.round(last.left - box.left) : -1,
          right: last ? Math.round(box.right - last.right) : -1,
        };
      }),
  };
}

// 1. The host page: 4 languages x 3 widths x light/dark.
const sizes = [390, 768, 1280];
let totals = { overlaps: 0, overflow: 0, covered: 0, blank: 0 };
for (const [lang, L] of Object.entries(LANGS)) {
for (const scheme of ['light', 'dark']) {
  for (const width of sizes) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const resp = await page.goto(`${BASE}/${L.page}`, { waitUntil: 'networkidle' });
    await settle(page, 4);
    await page.waitForFunction(() => !!document.querySelector('.social-stream__prev'), null, { timeout: 5000 })
      .catch(() => {});
    const tag = `${lang} ${width}px ${scheme}`;
    ok(resp.status() === 200 && errors.length === 0, `${tag}: host page loads without errors`, errors.join('\n'));
    const g = await page.evaluate(geometry);
    totals.overlaps += g.overlaps.length;
    totals.overflow += g.overflow.length;
    totals.covered += g.covered.length;
    ok(g.cards >= 20 && g.overlaps.length === 0, `${tag}: no two cards or controls overlap (${g.cards} cards)`,
      g.overlaps.slice(0, 10).join('\n'));
    ok(g.overflow.length === 0, `${tag}: no text leaves its card`, g.overflow.slice(0, 10).join('\n'));
    ok(g.covered.length === 0, `${tag}: nothing sits on top of a control`, g.covered.slice(0, 10).join('\n'));
    totals.blank += g.blank.length;
    ok(g.blank.length === 0, `${tag}: text-only cards in grid and carousel fit their text`, g.blank.join('\n'));
    if (width === 1280 && scheme === 'light') {
      const w = await page.evaluate(pageWords);
      ok(w.langs.length === 1 && w.langs[0] === `${lang}/${L.dir}` && w.more.length >= 1
        && w.more.every((m) => m === L.more) && w.prev === L.prev,
      `${lang}: the widgets speak ${lang} (${L.dir}): "${L.more}", "${L.prev}"`, JSON.stringify(w));
      ok(w.itemLang > 0, `${lang}: posts carry their own lang and dir (${w.itemLang} of ${w.items})`);
      // An English post with no language anywhere runs left to right on
      // every page, the Arabic one too: its last line starts at the left.
      // (A short last line tells the directions apart.)
      ok(w.auto.length > 0 && w.auto.every((a) => a.ltr && a.left >= 0 && a.left <= 2)
        && w.auto.some((a) => a.right > 20),
        `${lang}: ${w.auto.length} English posts of no known language are laid out left to right`,
        JSON.stringify(w.auto.slice(0, 5)));
    }
    const want = await page.evaluate(expectedStops);
    const got = await tabStops(page);
    // Carousel buttons are disabled at the ends, and Tab scrolls the
    // carousel: a control counts when it is enabled as focus reaches it.
    ok(got.other.length === 0 && got.post === want.posts && got.profile === want.profiles
      && got.control >= want.controls && got.control <= want.all,
    `${tag}: ${got.total} tab stops = ${got.post} posts + ${got.profile} profiles + ${got.control} controls`,
    `expected ${want.posts} posts, ${want.profiles} profiles, ${want.controls}..${want.all} controls; `
      + `other stops: ${got.other.join(', ')}`);
    await page.screenshot({ path: `${SHOTS}/host-${lang}-${width}-${scheme}.png`, fullPage: true });
    if (lang === 'en' && scheme === 'light' && width === 1280) {
      const bg = await page.$eval('.social-stream__item', (e) => getComputedStyle(e).backgroundColor);
      ok(bg === 'rgb(255, 255, 255)', 'light: cards are light', bg);
    }
    if (lang === 'en' && scheme === 'dark' && width === 1280) {
      // The host sets a theme colour: dark mode must stay on.
      await page.addStyleTag({ content: 'body { --social-card-bg: #fffbe6; --social-fg: #222; }' });
      const bg = await page.$eval('.social-stream__item', (e) => getComputedStyle(e).backgroundColor);
      ok(bg === 'rgb(27, 32, 39)', 'dark: cards stay dark when the host sets light theme properties', bg);
      const hostWins = await page.evaluate(() => {
        const s = document.createElement('style');
        s.textContent = '.social-stream__item { border-color: rgb(255, 0, 0); }';
        document.head.appendChild(s);
        return getComputedStyle(document.querySelector('.social-stream__item')).borderTopColor;
      });
      ok(hostWins === 'rgb(255, 0, 0)', 'a plain host rule overrides the layered widget style', hostWins);
    }
    await context.close();
  }
}
}
console.log(`# totals: overlaps ${totals.overlaps}, text overflows ${totals.overflow}, covered controls ${totals.covered}, `
  + `blank cards ${totals.blank}`);
if (KEEP_SHOTS) {
  mkdirSync(KEEP_SHOTS, { recursive: true });
  for (const f of readdirSync(SHOTS)) copyFileSync(`${SHOTS}/${f}`, `${KEEP_SHOTS}/${f}`);
}

// 2. axe-core on the host page of every language, light and dark.
for (const [lang, L] of Object.entries(LANGS)) {
  if (lang === 'en') continue;   /* below, with the other checks */
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${BASE}/${L.page}`, { waitUntil: 'networkidle' });
  await settle(page, 4);
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.addScriptTag({ content: AXE });
    const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    console.log(`# axe host page ${lang} (${scheme}): ${res.violations.length} violations, ${bad.length} serious or critical`);
    ok(bad.length === 0, `axe on the ${lang} host page (${scheme}): 0 serious or critical violations`,
      bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0].target}`).join('\n'));
  }
  await context.close();
}

// 3. axe-core, keyboard and screen reader details (en, 1280 px, light).
{
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.goto(`${BASE}/host.html`, { waitUntil: 'networkidle' });
  await settle(page, 4);
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await page.addScriptTag({ content: AXE });
    const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    console.log(`# axe host page (${scheme}): ${res.violations.length} violations, ${bad.length} serious or critical`);
    ok(bad.length === 0, `axe on the host page (${scheme}): 0 serious or critical violations`,
      bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0].target}`).join('\n'));
  }
  const names = await page.evaluate(() => [...document.querySelectorAll('section[aria-label], nav[aria-label], [role=region]')]
    .map((e) => e.getAttribute('aria-label')));
  ok(new Set(names).size === names.length, `landmark names are unique (${names.length} named)`, names.join(', '));
  const live = await page.evaluate(() => [...document.querySelectorAll('[role=status], [aria-live]')]
    .map((e) => e.textContent.trim()).filter(Boolean));
  ok(live.length === 0, 'nothing is announced on page load', live.join(' | '));
  const sb = await page.$eval('.social-stream--carousel .social-stream__list', (e) => getComputedStyle(e).scrollBehavior);
  ok(sb === 'auto', 'reduced motion: the carousel does not scroll smoothly', sb);
  await page.focus('.social-stream__permalink');
  const outline = await page.$eval('.social-stream__permalink', (e) => getComputedStyle(e).outlineStyle
    + ' ' + getComputedStyle(e).outlineWidth);
  ok(outline.startsWith('solid') && !outline.endsWith(' 0px'), 'keyboard focus is visible', outline);
  ok(await page.$$eval('social-stream [data-fallback]', (a) => a.length) === 0,
    'the fallback inside <social-stream> is gone once the stream is in');
  // Bundle size as served.
  let gz = 0;
  let raw = 0;
  for (const f of ['embed.js', 'embed.css']) {
    const body = await (await context.request.get(`${BASE}/social/${f}`)).body();
    raw += body.length;
    gz += gzipSync(body, { level: 9 }).length;
  }
  console.log(`# bundle embed.js + embed.css (with share.js/.css): ${raw} bytes, ${gz} bytes gzip -9`);
  ok(gz <= 14 * 1024, `bundle is at most 14 KB gzipped (${gz} bytes)`);
  await context.close();
}

// 4. Without JavaScript: "Load more" opens a whole page.
{
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 768, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${BASE}/host.html`);
  ok(await page.locator('social-stream [data-fallback]').count() === 1, 'without JS the fallback link stays');
  await page.click('.social-stream--list a.social-stream__next');
  await page.waitForLoadState();
  const p = await page.evaluate(() => ({
    title: document.title, h1: document.querySelector('h1')?.textContent,
    back: !!document.querySelector('.social-page__back a[href]'),
    css: getComputedStyle(document.querySelector('.social-stream__item')).borderTopStyle,
    posts: document.querySelectorAll('.social-stream__item').length,
  }));
  ok(p.title === 'Example Co. everywhere' && p.h1 === p.title && p.back && p.css === 'solid' && p.posts > 0,
    'without JS "Load more" opens a whole page (title, template, back link)', JSON.stringify(p));
  await page.screenshot({ path: `${SHOTS}/nojs-load-more.png`, fullPage: true });
  await context.close();
}

// 5. Another origin, one <script> tag.
{
  const context = await browser.newContext({ viewport: { width: 768, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${HOST}/cross.html`, { waitUntil: 'networkidle' });
  await settle(page, 1);
  await page.waitForSelector('social-profiles .social-profiles__card', { timeout: 5000 }).catch(() => {});
  const c = await page.evaluate(() => ({
    posts: document.querySelectorAll('social-stream .social-stream__item').length,
    profiles: document.querySelectorAll('social-profiles .social-profiles__card').length,
    css: getComputedStyle(document.querySelector('.social-stream__item') || document.body).borderTopStyle,
    login: !!document.querySelector('social-login [data-fallback]'),
  }));
  ok(c.posts === 4 && c.profiles > 0, `another origin: the stream and profiles load (${c.posts} posts)`, JSON.stringify(c));
  ok(c.css === 'solid', 'another origin: embed.js links its own stylesheet');
  ok(c.login, 'another origin: sign-in is not fetched with credentials (the plain link stays)');
  ok(errors.length === 0, 'another origin: no page errors', errors.join('\n'));
  const g = await page.evaluate(geometry);
  ok(g.overlaps.length === 0 && g.overflow.length === 0, 'another origin: no overlaps or overflow',
    g.overlaps.concat(g.overflow).join('\n'));
  await page.screenshot({ path: `${SHOTS}/cross-origin-768.png`, fullPage: true });
  await context.close();
}

// 6. SSI against the element, in de and ja: the page nginx assembled
// (read without JS: the server's ICU words) and the page embed.js filled
// (its Intl words, counted from the server's data-now) show the same.
function streamText() {
  const s = document.querySelector('social-stream .social-stream');
  return s && {
    lang: s.lang,
    times: [...s.querySelectorAll('time.dt-published')].map((t) => `${t.getAttribute('datetime')} ${t.textContent} | ${t.title}`),
    counts: [...s.querySelectorAll('.social-stream__counts li')].map((e) => e.textContent),
    labels: [...s.querySelectorAll('.social-stream__network, .social-stream__play, .social-stream__empty, .social-stream__next')]
      .map((e) => e.textContent),
  };
}
// The two pages are two requests, each counted from its own "now": a
// minute may turn between them, so a mismatch is looked at once more.
async function ssiAndElement(lang) {
  const ssiCtx = await browser.newContext({ javaScriptEnabled: false });
  const ssiPage = await ssiCtx.newPage();
  await ssiPage.goto(`${BASE}/ssi-${lang}.html`);
  const ssi = await ssiPage.evaluate(streamText);
  await ssiCtx.close();
  const elCtx = await browser.newContext({ locale: 'en-US' });
  const elPage = await elCtx.newPage();
  // What the server sent the element (its ICU words), before embed.js
  // rewrote the times and counts with Intl.
  let sent = null;
  elPage.on('response', async (r) => {
    if (r.url().includes('/social/streams/counted.html')) sent = await r.text().catch(() => null);
  });
  await elPage.goto(`${BASE}/element-${lang}.html`, { waitUntil: 'networkidle' });
  await settle(elPage, 1);
  const el = await elPage.evaluate(streamText);
  const raw = sent && await elPage.evaluate((html) => {
    const d = new DOMParser().parseFromString(html, 'text/html');
    return [...d.querySelectorAll('time.dt-published')].map((t) => t.textContent);
  }, sent);
  // Intl on its own, for the words the server's ICU wrote (test_i18n).
  const intl = await elPage.evaluate((l) => ({
    compact: [950, 1234, 10000, 1500000].map((n) => new Intl.NumberFormat(l, { notation: 'compact' }).format(n)),
    rel: new Intl.RelativeTimeFormat(l, { numeric: 'auto' }).format(-3, 'hour'),
  }), lang);
  await elCtx.close();
  return { ssi, el, raw, intl };
}
for (const lang of ['de', 'ja']) {
  let { ssi, el, raw, intl } = await ssiAndElement(lang);
  if (JSON.stringify(ssi) !== JSON.stringify(el)) ({ ssi, el, raw, intl } = await ssiAndElement(lang));
  const mine = el ? el.times.map((t) => t.replace(/^\S+ /, '').replace(/ \| .*$/, '')) : [];
  ok(raw && raw.length >= 12 && JSON.stringify(raw) === JSON.stringify(mine),
    `${lang}: embed.js (Intl) rewrote the element's ${mine.length} times into the server's (ICU) very words`,
    `server ${JSON.stringify(raw)}\nIntl ${JSON.stringify(mine)}`);
  const same = ssi && el && JSON.stringify(ssi) === JSON.stringify(el);
  ok(same && ssi.lang === lang && ssi.times.length >= 12 && ssi.counts.length >= 3 && ssi.labels.length > 0,
    `${lang}: SSI and element show the same ${ssi ? ssi.times.length : 0} times, `
    + `${ssi ? ssi.counts.length : 0} counts and ${ssi ? ssi.labels.length : 0} labels`,
    `SSI ${JSON.stringify(ssi)}\nelement ${JSON.stringify(el)}`);
  const want = { de: { compact: ['950', '1234', '10.000', '1,5\u00a0Mio.'], rel: 'vor 3 Stunden' },
    ja: { compact: ['950', '1234', '1万', '150万'], rel: '3 時間前' } }[lang];
  ok(JSON.stringify(intl) === JSON.stringify(want), `${lang}: Intl writes what ICU writes (compact numbers, relative time)`,
    `${JSON.stringify(intl)} != ${JSON.stringify(want)}`);
}

await browser.close();
done();
