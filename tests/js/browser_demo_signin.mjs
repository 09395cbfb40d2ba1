// browser_demo_signin.mjs: on the demo (deploy/demo/run.sh), chromium signs
// in with "Demo ID" from the brand page, sees its name in <social-login>,
// opens the auth_request-protected members page, signs out and is sent to
// sign in again. TAP output.
//
//   BASE=http://127.0.0.1:PORT OP=http://127.0.0.1:OPPORT node browser_demo_signin.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { done, launchPersistent, ok as check } from './tap.mjs';

const base = process.env.BASE;
const op = process.env.OP;
const profile = mkdtempSync(join(tmpdir(), 'sh-demo-chromium-'));
const context = await launchPersistent(profile);
try {
  const page = context.pages()[0] || await context.newPage();
  const offsite = [];
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1') return route.continue();
    // The demo provider's own dev pages load web fonts; only our pages
    // must stay on the machine.
    if (page.url().startsWith(base)) offsite.push(u.href);
    return route.abort();
  });

  // Anonymous: the members page sends the visitor to sign in.
  await page.goto(`${base}/members/`);
  check(page.url().startsWith(`${op}/`), 'members page redirects an anonymous visitor to Demo ID', page.url());

  // Sign in from the brand page's <social-login>.
  await page.goto(`${base}/`);
  const signIn = page.locator('social-login').getByRole('link', { name: /Demo ID/ });
  await signIn.waitFor({ timeout: 10000 });
  check(true, '<social-login> offers "Demo ID"');
  await signIn.click();
  await page.waitForURL(`${op}/**`);
  await page.fill('input[name=login]', 'alice');
  await page.fill('input[name=password]', 'any password');
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  if (page.url().startsWith(`${op}/interaction/`)) await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
  const login = page.locator('social-login');
  await page.waitForFunction(() => document.querySelector('social-login')?.dataset.state === 'signed-in',
    null, { timeout: 10000 }).catch(() => {});
  const text = await login.textContent();
  check(/Alice Demo/.test(text || ''), 'the brand page shows the signed-in name', text);

  const me = await page.evaluate(async () => (await fetch('/social/auth/me')).json());
  check(me.name === 'Alice Demo' && me.provider === 'demo', '/social/auth/me names the visitor', JSON.stringify(me));

  // The protected page: nginx asked socialhub and passed the identity on.
  const res = await page.goto(`${base}/members/`);
  check(res.status() === 200, 'members page answers 200 when signed in', String(res.status()));
  const name = await page.textContent('#member-name');
  check(name.trim() === 'Alice Demo', 'members page shows the identity nginx received', name);

  // Sign out from the brand page, then the members page is refused again.
  await page.goto(`${base}/`);
  const out = page.locator('social-login').getByRole('button', { name: /Sign out/ });
  await out.waitFor({ timeout: 10000 });
  await out.click();
  await page.waitForLoadState();
  if (page.url().startsWith(`${op}/`)) {
    const yes = page.locator('button[type=submit], button[autofocus]').first();
    if (await yes.count()) await yes.click();
    await page.waitForURL(`${base}/**`);
  }
  const check401 = await page.evaluate(async () => (await fetch('/social/auth/me')).status);
  check(check401 === 401, 'signed out: /social/auth/me is 401', String(check401));
  // The provider may still hold its own session (SSO), so look at nginx's
  // answer itself: a redirect to sign in, not the page.
  const again = await page.request.get(`${base}/members/`, { maxRedirects: 0 });
  const loc = again.headers().location || '';
  check(again.status() === 302 && loc.includes('/social/auth/login/demo'),
    'signed out: nginx sends the members page to sign in again', `${again.status()} ${loc}`);
  check(offsite.length === 0, 'no request from our pages left 127.0.0.1', offsite.join(' '));
} catch (e) {
  check(false, 'demo sign-in flow', String(e && e.stack || e));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
done();
