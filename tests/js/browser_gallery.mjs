// browser_gallery.mjs: galleries of API posts (issue 17) in every layout —
// list, grid and carousel, filled by <social-stream> from the Meta fixture
// stream (test_sources_meta.sh) — at 390 and 1280 px. For each: the
// Instagram carousel post is a strip of 3 (images and a video poster, each
// reachable: it swipes or they fit), the
// reel is its poster with a play badge linking to the permalink, the
// Threads post shows its alt text; every image has alt, every picture
// loaded from our own /media/, no player or video file, no two cards
// overlap, strips and badges stay inside their card; a screenshot each.
//
// Usage: BASE=http://127.0.0.1:P SHOTS=DIR node tests/js/browser_gallery.mjs
// Prints TAP; exit 0 when every check passed.
import { mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { done, isLocal, launchChromium, ok } from './tap.mjs';

const { BASE, SHOTS } = process.env;
if (!BASE || !SHOTS) {
  console.log('1..0 # SKIP BASE or SHOTS not set');
  process.exit(77);
}
mkdirSync(SHOTS, { recursive: true });
const CAROUSEL = 'https://www.instagram.com/p/DCarousel01/';
const REEL = 'https://www.instagram.com/reel/DReel0001/';
const THREADS = 'https://www.threads.com/@examplebrand/post/DThreads01';
const LAYOUTS = ['list', 'grid', 'carousel'];

// Everything measured in the page for one layout.
function measure(args) {
  const [layout, carousel, reel, threads] = args;
  const eps = 0.5;
  const host = document.querySelector(`social-stream[layout="${layout}"]`);
  const r = (e) => e.getBoundingClientRect();
  const inside = (a, b) => a.left >= b.left - eps && a.right <= b.right + eps
    && a.top >= b.top - eps && a.bottom <= b.bottom + eps;
  const out = { layout, cards: 0, overlaps: [], outside: [], noalt: 0, foreign: [], players: 0 };
  if (!host) return out;
  const cards = [...host.querySelectorAll('.social-stream__item')];
  out.cards = cards.length;
  for (let i = 0; i < cards.length; i++) {
    for (let j = i + 1; j < cards.length; j++) {
      const a = r(cards[i]);
      const b = r(cards[j]);
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > eps && h > eps) out.overlaps.push(`${i}/${j}`);
    }
  }
  const imgs = [...host.querySelectorAll('img')];
  out.noalt = imgs.filter((i) => i.getAttribute('alt') === null).length;
  out.foreign = imgs.map((i) => i.src).filter((s) => !s.startsWith(`${location.origin}/social/media/`));
  out.unloaded = imgs.filter((i) => i.complete && i.naturalWidth === 0).map((i) => i.src);
  out.players = host.querySelectorAll('video, iframe, audio, object, embed').length;
  const card = (href) => cards.find((c) => c.querySelector(`a[href="${href}"]`));
  // The carousel post: a strip of 3, inside its card.
  const c = card(carousel);
  if (c) {
    const strip = c.querySelector('.social-stream__gallery');
    out.strip = strip ? strip.children.length : 0;
    out.stripInside = strip ? inside(r(strip), r(c)) : false;
    // Every picture reachable: the strip swipes, or they all fit in it.
    out.stripReach = strip ? strip.scrollWidth > strip.clientWidth + 1
      || [...strip.children].every((li) => inside(r(li), r(strip))) : false;
    const v = c.querySelector('.social-stream__video');
    out.carouselVideoHref = v ? v.getAttribute('href') : null;
  }
  // The reel: a poster and a badge inside the link, which goes to the post.
  const rc = card(reel);
  if (rc) {
    const v = rc.querySelector('a.social-stream__video');
    const badge = v && v.querySelector('.social-stream__play');
    const poster = v && v.querySelector('img.social-stream__poster');
    out.reelHref = v ? v.getAttribute('href') : null;
    out.reelBadge = !!badge && badge.textContent.trim();
    out.reelBadgeInside = !!badge && inside(r(badge), r(v)) && inside(r(v), r(rc));
    out.reelPoster = !!poster && poster.complete && poster.naturalWidth > 0;
    out.reelSquare = !!v && Math.abs(r(v).width - r(v).height) < 2;
  }
  // The Threads post: its alt text on visible, loaded pictures.
  const tc = card(threads);
  if (tc) {
    const alts = [...tc.querySelectorAll('.social-stream__gallery img')];
    out.threadsAlt = alts.map((i) => i.alt);
    out.threadsLoaded = alts.every((i) => i.complete && i.naturalWidth > 0 && r(i).width > 20);
  }
  return out;
}

const browser = await launchChromium();
for (const width of [390, 1280]) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const outside = [];
  page.on('request', (req) => { if (!isLocal(req.url())) outside.push(req.url()); });
  await page.goto(`${BASE}/gallery.html`);
  await page.waitForFunction((n) => document.querySelectorAll('social-stream .social-stream[data-enhanced]').length === n
    && [...document.querySelectorAll('social-stream img')].every((i) => i.complete), LAYOUTS.length,
  { timeout: 15000 }).catch(() => {});
  // Lazy pictures further down: bring each widget into view once.
  for (const l of LAYOUTS) {
    await page.evaluate((x) => {
      document.querySelectorAll(`social-stream[layout="${x}"] img`).forEach((i) => { i.loading = 'eager'; });
    }, l);
  }
  await page.waitForFunction(() => [...document.querySelectorAll('social-stream img')].every((i) => i.complete),
    null, { timeout: 10000 }).catch(() => {});
  for (const layout of LAYOUTS) {
    const m = await page.evaluate(measure, [layout, CAROUSEL, REEL, THREADS]);
    const at = `${layout} at ${width}px`;
    ok(m.cards === 11, `${at}: 11 posts`, `got ${m.cards}`);
    ok(m.overlaps.length === 0, `${at}: no two cards overlap`, m.overlaps.join(', '));
    ok(m.noalt === 0, `${at}: every image has an alt attribute`, `${m.noalt} without`);
    ok(m.foreign.length === 0 && m.unloaded.length === 0,
      `${at}: every picture loaded from our own /social/media/`, [...m.foreign, ...m.unloaded].join('\n'));
    ok(m.players === 0, `${at}: no player (video, iframe, audio)`);
    ok(m.strip === 3 && m.stripInside, `${at}: the carousel post is a strip of 3 inside its card`,
      JSON.stringify({ strip: m.strip, inside: m.stripInside }));
    ok(m.stripReach, `${at}: every picture of the strip is reachable (it swipes, or all fit)`);
    ok(m.carouselVideoHref === CAROUSEL, `${at}: the carousel's video links to the post`, m.carouselVideoHref);
    ok(m.reelHref === REEL && m.reelPoster, `${at}: the reel is its poster linking to the permalink`,
      JSON.stringify({ href: m.reelHref, poster: m.reelPoster }));
    ok(m.reelBadge === 'Watch on Instagram' && m.reelBadgeInside && m.reelSquare,
      `${at}: a play badge inside the poster`, JSON.stringify({ badge: m.reelBadge, inside: m.reelBadgeInside, square: m.reelSquare }));
    ok(JSON.stringify(m.threadsAlt) === JSON.stringify(['A barista pouring latte art', 'Cups stacked by the window'])
      && m.threadsLoaded, `${at}: the Threads pictures show with their alt text`, JSON.stringify(m.threadsAlt));
    const el = await page.$(`social-stream[layout="${layout}"]`);
    if (el) await el.screenshot({ path: `${SHOTS}/gallery-${layout}-${width}.png` });
  }
  ok(outside.length === 0, `${width}px: no request leaves this machine`, outside.join('\n'));
  await context.close();
}
// The bundle stays within its budget with the gallery styles.
const ctx = await browser.newContext();
let gz = 0;
for (const f of ['embed.js', 'embed.css']) {
  const body = await (await ctx.request.get(`${BASE}/social/${f}`)).body();
  gz += gzipSync(body, { level: 9 }).length;
}
ok(gz <= 14 * 1024, `embed.js + embed.css at most 14 KB gzipped (${gz} bytes)`);
await ctx.close();
await browser.close();
done();
