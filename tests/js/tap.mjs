// tap.mjs: what every browser test shares — TAP output, the loopback
// check and Debian chromium launched for a closed network.
import { chromium } from 'playwright-core';

let n = 0;
let failed = 0;

// One TAP check; `diag` is printed as "# " lines when it fails.
export function ok(cond, name, diag) {
  n += 1;
  if (cond) {
    console.log(`ok ${n} - ${name}`);
  } else {
    failed += 1;
    console.log(`not ok ${n} - ${name}`);
    if (diag !== undefined && diag !== '') console.log(`# ${String(diag).replace(/\n/g, '\n# ')}`);
  }
}

// Prints the plan and exits 0 when every check passed, else 1.
export function done() {
  console.log(`1..${n}`);
  process.exit(failed === 0 ? 0 : 1);
}

// True for URLs that stay on this machine.
export function isLocal(u) {
  if (u.startsWith('data:') || u.startsWith('about:')) return true;
  try {
    return new URL(u).hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

// Flags for root on a machine with no internet: no sandbox, no background
// traffic, and no name outside the loopback resolves.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'];
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

// The same with a profile directory that outlives one launch (cookies
// kept between the phases of a flow).
export function launchPersistent(profile) {
  return chromium.launchPersistentContext(profile,
    { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
