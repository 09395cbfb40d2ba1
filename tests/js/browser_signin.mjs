// browser_signin.mjs: Debian chromium (playwright-core) signs in through real
// nginx at the real oidc-provider, reads its name from /auth/me, opens the
// auth_request-protected page, signs out, and is refused again.
//
//   node tests/js/browser_signin.mjs BASE_URL OP_ISSUER [SCREENSHOT_DIR]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { done, launchPersistent, ok as check } from './tap.mjs';

const [base, op, shots] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), 'sh-chromium-'));
const context = await launchPersistent(profile);
try {
  const page = context.pages()[0] || await context.newPage();
  // A closed network: anything but our loopback servers is refused.
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    return u.hostname === '127.0.0.1' ? route.continue() : route.abort();
  });
  const shot = async (name) => { if (shots) await page.screenshot({ path: join(shots, `${name}.png`) }); };

  // 1. The protected page sends an anonymous visitor to the chooser.
  await page.goto(`${base}/protected/page`);
  check(page.url().startsWith(`${base}/social/auth/login?return_to=`), 'nginx sends an anonymous visitor to the sign-in chooser', page.url());
  await shot('1-chooser');

  // 2. Sign in with Demo ID at oidc-provider (dev login, then consent).
  await page.getByRole('link', { name: 'Sign in with Demo ID' }).click();
  await page.waitForURL(`${op}/**`);
  check(page.url().startsWith(`${op}/interaction/`), 'the chooser link leads to the provider', page.url());
  await page.fill('input[name=login]', 'alice');
  await page.fill('input[name=password]', 'any password');
  await shot('2-provider-login');
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  if (page.url().startsWith(`${op}/interaction/`)) {
    await shot('3-consent');
    await page.click('button[type=submit]');
  }
  await page.waitForURL(`${base}/protected/page`);
  await shot('4-protected');
  const body = await page.textContent('body');
  check(body.includes('protected page for [Alice Demo] user=demo:alice'), 'back on the protected page: 200 with the identity seen by the upstream', body);

  // 3. The signed-in name from /auth/me.
  const me = await page.evaluate(async () => {
    const r = await fetch('/social/auth/me');
    return { status: r.status, body: await r.json() };
  });
  check(me.status === 200 && me.body.name === 'Alice Demo', '/auth/me gives the signed-in name', JSON.stringify(me));
  const cookies = await context.cookies(base);
  const session = cookies.find((c) => c.name === 'socialhub_session');
  check(session && session.httpOnly && session.sameSite === 'Lax', 'the session cookie is HttpOnly and SameSite=Lax', JSON.stringify(session));
  check(!cookies.some((c) => c.name.startsWith('socialhub_session_st_')), 'no state cookie left behind');
  const scriptSees = await page.evaluate(() => document.cookie);
  check(!scriptSees.includes('socialhub_session'), 'page scripts cannot read the session cookie');

  // 4. Sign out with the <social-login> fragment's form (RP-initiated logout).
  await page.goto(`${base}/social/auth/button.html?return_to=%2F`);
  check((await page.textContent('social-login')).includes('Alice Demo'), 'the sign-in widget shows the name');
  await shot('5-widget');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForLoadState();
  if (page.url().startsWith(`${op}/`)) {
    await shot('6-provider-logout');
    const yes = page.getByRole('button', { name: /sign me out/i });
    if (await yes.count()) await yes.click();
    await page.waitForURL(`${base}/**`);
  }
  check(page.url() === `${base}/`, 'sign-out lands back on the site', page.url());

  // 5. Refused again.
  const after = await page.evaluate(async () => (await fetch('/social/auth/check')).status);
  check(after === 401, '/auth/check says 401 after sign-out', String(after));
  await page.goto(`${base}/protected/page`);
  check(page.url().startsWith(`${base}/social/auth/login?return_to=`), 'nginx redirects to sign-in again', page.url());
  await shot('7-refused');
} catch (err) {
  check(false, 'browser flow crashed', err.message);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
done();
