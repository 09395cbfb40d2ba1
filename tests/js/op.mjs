// op.mjs: a local OpenID provider (npm oidc-provider) for tests and the demo.
//
//   node tests/js/op.mjs --port 0 --redirect http://127.0.0.1:8080/social/auth/callback/demo \
//        [--client-id demo] [--client-secret S] [--post-logout URL]... \
//        [--apache-redirect URL] [--ready-file FILE] [--names JSON]
//
// Prints one line `op ready {"issuer":...,"port":N}` on stdout when it
// listens (and writes the same JSON to --ready-file). Log in at its dev
// interaction pages with any login name and any password; the account's
// name is the login capitalised plus " Demo", its email login@example.test.
import { writeFileSync } from 'node:fs';
import Provider from 'oidc-provider';

function parseArgs(argv) {
  const opts = {
    port: 0, redirect: [], clientId: 'demo', clientSecret: 'demo-secret-change-me',
    postLogout: [], apacheRedirect: null, readyFile: null, host: '127.0.0.1',
    names: {},
  };
  for (let i = 2; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--port': opts.port = Number(v); i++; break;
      case '--redirect': opts.redirect.push(v); i++; break;
      case '--client-id': opts.clientId = v; i++; break;
      case '--client-secret': opts.clientSecret = v; i++; break;
      case '--post-logout': opts.postLogout.push(v); i++; break;
      case '--apache-redirect': opts.apacheRedirect = v; i++; break;
      case '--ready-file': opts.readyFile = v; i++; break;
      // A JSON object {login: display name}: names no login form can type
      // (controls, bidi overrides) for the identity-header tests.
      case '--names': opts.names = JSON.parse(v); i++; break;
      default:
        console.error(`op.mjs: unknown argument ${argv[i]}`);
        process.exit(2);
    }
  }
  if (opts.redirect.length === 0) {
    console.error('op.mjs: at least one --redirect URL is required');
    process.exit(2);
  }
  return opts;
}

const opts = parseArgs(process.argv);

function displayName(sub) {
  return `${sub.charAt(0).toUpperCase()}${sub.slice(1)} Demo`;
}

// No third-party resources on our pages: the test network is closed.
function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
}

async function start() {
  // Bind first to learn the port, so the issuer names it.
  const { createServer } = await import('node:http');
  const server = createServer();
  await new Promise((resolve) => server.listen(opts.port, opts.host, resolve));
  const port = server.address().port;
  const issuer = `http://${opts.host}:${port}`;
  const clients = [{
    client_id: opts.clientId,
    client_secret: opts.clientSecret,
    redirect_uris: opts.redirect,
    post_logout_redirect_uris: opts.postLogout,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }];
  if (opts.apacheRedirect) {
    clients.push({
      client_id: 'apache',
      client_secret: 'apache-secret-change-me',
      redirect_uris: [opts.apacheRedirect],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    });
  }
  const provider = new Provider(issuer, {
    clients,
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Sign out', `<h1>Sign out of Demo ID?</h1>${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Signed out', '<h1>Signed out of Demo ID</h1>');
        },
      },
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    findAccount: async (ctx, sub) => ({
      accountId: sub,
      claims: async () => ({
        sub,
        email: `${sub}@example.test`,
        email_verified: true,
        name: opts.names[sub] ?? displayName(sub),
        preferred_username: sub,
      }),
    }),
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Error', `<h1>${out.error}</h1><p>${String(out.error_description || '').replace(/[<>&"]/g, '')}</p>`);
    },
  });
  provider.proxy = false;
  server.on('request', provider.callback());
  const info = { issuer, port, client_id: opts.clientId };
  if (opts.readyFile) writeFileSync(opts.readyFile, JSON.stringify(info));
  console.log(`op ready ${JSON.stringify(info)}`);
}

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
start().catch((err) => {
  console.error(err);
  process.exit(1);
});
