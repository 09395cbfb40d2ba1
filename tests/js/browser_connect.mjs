// browser_connect.mjs: Debian chromium (playwright-core) as the brand's
// owner: signs in at the local oidc-provider through real nginx, opens the
// connections page, connects Instagram and X at the fixture authorization
// servers (tests/integration/conn_fixture.py) and comes back; in a later
// phase, on the same profile, revokes Instagram.
//
//   node tests/js/browser_connect.mjs connect|revoke BASE_URL OP_ISSUER PROFILE_DIR [SHOTS]
import { join } from 'node:path';
import { done, launchPersistent, ok as check } from './tap.mjs';

const [phase, base, op, profile, shots] = process.argv.slice(2);
const context = await launchPersistent(profile);
const page = context.pages()[0] || await context.newPage();
const cspErrors = [];
page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
await page.route('**/*', (route) => {
  const u = new URL(route.request().url());
  return u.hostname === '127.0.0.1' ? route.continue() : route.abort();
});
const shot = async (name) => { if (shots) await page.screenshot({ path: join(shots, `${phase}-${name}.png`) }); };
const stateOf = async (name) => page.locator(`tr:has(th:text-is("${name}")) .social-admin__state`).getAttribute('data-state');

async function signIn() {
  await page.goto(`${base}/social/admin/connections`);
  check(page.url().startsWith(`${base}/social/auth/login?return_to=`), 'the admin page sends an anonymous visitor to sign in', page.url());
  await page.getByRole('link', { name: 'Sign in with Demo ID' }).click();
  await page.waitForURL(`${op}/**`);
  await page.fill('input[name=login]', 'alice');
  await page.fill('input[name=password]', 'any password');
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  if (page.url().startsWith(`${op}/interaction/`)) await page.click('button[type=submit]');
  await page.waitForURL(`${base}/social/admin/connections`);
  check(await page.locator('h1').textContent() === 'Connections', 'signed in, back on the connections page');
}

async function connect(name) {
  await page.locator(`tr:has(th:text-is("${name}")) button[value=connect]`).click();
  await page.waitForURL((u) => u.pathname.endsWith('/authorize'));
  check(/Allow socialhub/.test(await page.textContent('h1')), `${name}: Connect leads to the network's consent page`, page.url());
  await shot(`${name}-consent`);
  await page.click('#allow');
  await page.waitForURL(`${base}/social/admin/connections?done=${name}`);
  check((await page.textContent('.social-admin__outcome')).includes(`Connected ${name}.`), `${name}: back, connected`);
  check(await stateOf(name) === 'connected', `${name}: the row says connected`);
}

try {
  if (phase === 'connect') {
    await signIn();
    await shot('page');
    check(await stateOf('ig-brand') === 'none', 'ig-brand: not connected at first');
    await connect('ig-brand');
    await connect('x-brand');
    await shot('connected');
    const row = await page.locator('tr:has(th:text-is("ig-brand"))').textContent();
    check(!/SECRETTOKEN/.test(row) && !/SECRETTOKEN/.test(await page.content()), 'the page shows no token');
    check(cspErrors.length === 0, 'no Content-Security-Policy violation', cspErrors.join(' | '));
  } else {
    await page.goto(`${base}/social/admin/connections`);
    check(await stateOf('ig-brand') === 'connected', 'the session still holds: ig-brand connected');
    await page.locator('tr:has(th:text-is("ig-brand")) button[value=revoke]').click();
    await page.waitForLoadState();
    const outcome = await page.textContent('.social-admin__outcome');
    check(outcome.includes('Revoked ig-brand.'), 'Revoke: the page says so', outcome);
    const state = await stateOf('ig-brand');
    check(state === 'revoked', 'ig-brand: the row says revoked', state);
    await shot('revoked');
  }
} catch (e) {
  check(false, `${phase}: no exception`, `${String(e).split('\n')[0]} at ${page.url()}: ${(await page.textContent('body').catch(() => '')).slice(0, 300)} ${cspErrors.join(' | ')}`);
}
await context.close();
done();
