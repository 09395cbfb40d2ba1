// forge_session.mjs: seals a session cookie value the way oauth/keys.c and
// oauth/session.c do, from a session secret an attacker knows or guessed
// (the tests of issue 13, items 8 and 9: a weak secret, a provider name
// that differs only in case).
//
//   node tests/js/forge_session.mjs SECRET PROVIDER SUB [EMAIL [unverified]]
//
// Prints the cookie value: KID "." base64url(iv || ciphertext || tag),
// AES-256-GCM with the key HKDF-SHA256(secret, info "socialhub session
// v1"), AAD "socialhub-session-v1|KID", KID the first 6 characters of
// base64url(SHA-256(key)). Like keyring_add, a secret that is base64url
// of 32 or more bytes is used decoded, anything else as text.
import { createCipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const [secret, provider, sub, email, verified] = process.argv.slice(2);
if (secret === undefined || !provider || !sub) {
  console.error('usage: forge_session.mjs SECRET PROVIDER SUB [EMAIL]');
  process.exit(2);
}

function ikmOf(s) {
  if (/^[A-Za-z0-9_-]+$/.test(s) && s.length % 4 !== 1) {
    const raw = Buffer.from(s, 'base64url');
    if (raw.length >= 32 && raw.toString('base64url') === s) return raw;
  }
  return Buffer.from(s, 'utf8');
}

const key = Buffer.from(hkdfSync('sha256', ikmOf(secret), Buffer.alloc(0),
  Buffer.from('socialhub session v1'), 32));
const kid = createHash('sha256').update(key).digest('base64url').slice(0, 6);
const now = Math.floor(Date.now() / 1000);
const session = { v: 1, p: provider, s: sub, ev: email !== undefined && verified !== 'unverified', iat: now, exp: now + 3600 };
if (email !== undefined) session.e = email;
session.n = `forged ${sub}`;

const iv = randomBytes(12);
const c = createCipheriv('aes-256-gcm', key, iv);
c.setAAD(Buffer.from(`socialhub-session-v1|${kid}`));
const ct = Buffer.concat([c.update(JSON.stringify(session), 'utf8'), c.final()]);
const sealed = Buffer.concat([iv, ct, c.getAuthTag()]);
console.log(`${kid}.${sealed.toString('base64url')}`);
