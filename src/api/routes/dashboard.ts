import { randomBytes } from 'node:crypto';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { dashboardData, renderDashboard } from '../../audit/dashboard';
import { reportInstantSchema } from '../../audit/schemas';
import { cookie, SESSION_COOKIE, sessionIdHash } from '../auth';
import type { ApiContext } from '../context';
import { ApiError, asApiError } from '../errors';
import { defineRoute } from '../route';
import { withLedger } from './audit';

const DAY = 24 * 60 * 60 * 1000;
const DEFAULT_WINDOW_DAYS = 28;
const SESSION_MAX_AGE_S = 12 * 60 * 60;
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;
const LOOPBACK_IP = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const SIGN_IN = '/dashboard/sign-in';

/** The window defaults to the last four weeks, up to the end of today (UTC). */
export const dashboardQuerySchema = z
  .object({
    from: reportInstantSchema.optional(),
    to: reportInstantSchema.optional(),
  })
  .strict()
  .transform(({ from, to }) => {
    const end = to ?? new Date(Math.ceil(Date.now() / DAY) * DAY).toISOString();
    return { from: from ?? new Date(Date.parse(end) - DEFAULT_WINDOW_DAYS * DAY).toISOString(), to: end };
  })
  .refine((q) => q.from < q.to, { message: '`to` must be after `from` (the window is [from, to))', path: ['to'] });

/** The page has no script and fetches nothing: the policy forbids everything but its inline CSS and SVG. */
function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers({
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
}

/**
 * Plain http is for local use only: the cookie leaves out `Secure` only when the page is served over
 * http to a loopback client on a loopback host name. Anywhere else it must never travel without TLS
 * (API Gateway and load balancers terminate TLS, so the request itself may look like http).
 */
function cookieAttributes(request: FastifyRequest, maxAgeSeconds: number): string {
  const local = request.protocol === 'http' && LOOPBACK_HOST.test(request.hostname) && LOOPBACK_IP.test(request.ip);
  // Path=/: the Temporal Web UI's codec calls (/codec/*) carry the same session, with "include credentials".
  return `Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${local ? '' : '; Secure'}`;
}

/**
 * A form post from another site must not sign anyone in or out: a browser says where a request comes
 * from in Sec-Fetch-Site and Origin, and both must name this site when present. (Clients that send
 * neither are not browsers, which cannot be led into posting anything.)
 */
function crossSiteProblem(request: FastifyRequest): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return `Sec-Fetch-Site "${String(site).slice(0, 20)}" (expected same-origin)`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  return host !== undefined && host === request.host ? undefined : 'the Origin is not this site';
}

const esc = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&quot;' })[c]!);

function signInPage(problem?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Handoff dashboard: sign in</title>
<style>body{font:16px system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}label,input,button{display:block;width:100%;box-sizing:border-box}input{margin:.4rem 0 1rem;padding:.5rem;font:inherit}button{padding:.6rem;font:inherit}.problem{color:#b00020}</style>
</head><body>
<h1>Handoff dashboard</h1>
${problem ? `<p class="problem" role="alert">${esc(problem)}</p>` : ''}<form method="post" action="${SIGN_IN}">
<label for="key">RevOps API key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
</body></html>
`;
}

const SIGN_OUT_FORM = `<form method="post" action="/dashboard/sign-out" style="position:absolute;top:.5rem;right:.5rem"><button type="submit">Sign out</button></form>`;

/**
 * The RevOps dashboard. A browser cannot send a Bearer header, so it signs in with a form (POST, the
 * key in the body, never in a URL) that sets a session cookie: a random id, kept hashed in the state
 * store for 12 hours, never the key. API clients use Bearer as on every route.
 */
export const dashboardRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  // A browser that is not signed in is sent to the sign-in form; API clients get the JSON 401.
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    const apiError = asApiError(err, request);
    if (apiError.statusCode === 401 && request.method === 'GET' && /text\/html/.test(request.headers.accept ?? '')) {
      return reply.code(303).header('cache-control', 'no-store').redirect(SIGN_IN);
    }
    return reply.code(apiError.statusCode).headers(apiError.headers).send(apiError.toBody());
  });

  const html = (reply: FastifyReply, status: number, page: string) =>
    pageHeaders(reply).code(status).type('text/html; charset=utf-8').send(page);

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/dashboard',
    operationId: 'dashboard',
    summary: 'The RevOps dashboard (HTML): SLA compliance, response times, breaches, funnel, for [from, to)',
    tag: 'Audit',
    access: { kind: 'roles', roles: ['revops'], sources: { session: true } },
    query: dashboardQuerySchema,
    responses: {
      200: { description: 'The dashboard page', contentType: 'text/html' },
      303: { description: 'A browser (Accept: text/html) without a session is sent to /dashboard/sign-in' },
    },
    errors: [400, 503],
    handler: async ({ query, request, reply }) => {
      const data = await withLedger(ctx, (ledger) => dashboardData(ledger, { from: query.from, to: query.to }));
      const page = renderDashboard(data, { temporalUiUrl: ctx.deps.temporalUiUrl ?? '', namespace: ctx.deps.temporal.namespace });
      const signedIn = cookie(request, SESSION_COOKIE) !== undefined && request.headers.authorization === undefined;
      return html(reply, 200, signedIn ? page.replace('<body>', `<body>\n${SIGN_OUT_FORM}`) : page);
    },
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: SIGN_IN,
    operationId: 'dashboardSignInForm',
    summary: 'The dashboard sign-in form (HTML)',
    tag: 'Audit',
    access: { kind: 'anonymous' },
    responses: { 200: { description: 'The sign-in form', contentType: 'text/html' } },
    errors: [429],
    handler: async ({ reply }) => html(reply, 200, signInPage()),
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: SIGN_IN,
    operationId: 'dashboardSignIn',
    summary:
      'Sign in to the dashboard: an HTML form post (application/x-www-form-urlencoded, field `key`: a revops API key) from this site; ' +
      'sets the session cookie and redirects to /dashboard',
    tag: 'Audit',
    access: { kind: 'anonymous' },
    responses: {
      303: { description: 'Signed in: Set-Cookie handoff_session (HttpOnly, SameSite=Strict, Secure), Location /dashboard' },
      400: { description: 'Not a form with a key', contentType: 'text/html' },
      401: { description: 'Not an API key', contentType: 'text/html' },
      403: { description: 'Not a revops key, or a post from another site', contentType: 'text/html' },
    },
    errors: [429, 503],
    handler: async ({ request, reply }) => {
      const crossSite = crossSiteProblem(request);
      if (crossSite) return html(reply, 403, signInPage(`Refused: ${crossSite}.`));
      const type = request.headers['content-type'] ?? '';
      const key = /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type) ? new URLSearchParams(request.rawBody ?? '').get('key') : null;
      if (!key) return html(reply, 400, signInPage('Send the sign-in form: a revops API key in the field "key".'));
      const principal = ctx.auth.keyPrincipal(key);
      if (!principal) return html(reply, 401, signInPage('That is not an API key.'));
      const fingerprint = ctx.auth.ring.fingerprint(principal);
      if (!principal.roles.has('revops') || !fingerprint) return html(reply, 403, signInPage('That key has no revops role.'));
      const sessionId = randomBytes(32).toString('base64url');
      await ctx.state.createSession(sessionIdHash(sessionId), fingerprint, Date.now() + SESSION_MAX_AGE_S * 1000);
      request.log.info({ principal: principal.id }, 'dashboard session opened');
      return reply
        .code(303)
        .header('set-cookie', `${SESSION_COOKIE}=${sessionId}; ${cookieAttributes(request, SESSION_MAX_AGE_S)}`)
        .header('cache-control', 'no-store')
        .redirect('/dashboard');
    },
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/dashboard/sign-out',
    operationId: 'dashboardSignOut',
    summary: 'Sign out of the dashboard: the session ends for every copy of its cookie',
    tag: 'Audit',
    access: { kind: 'anonymous' },
    responses: { 303: { description: 'Signed out: the cookie is cleared, Location /dashboard/sign-in' } },
    errors: [403, 429, 503],
    handler: async ({ request, reply }) => {
      const crossSite = crossSiteProblem(request);
      if (crossSite) return html(reply, 403, signInPage(`Refused: ${crossSite}.`));
      const sessionId = cookie(request, SESSION_COOKIE);
      if (sessionId !== undefined) await ctx.state.deleteSession(sessionIdHash(sessionId));
      return reply
        .code(303)
        .header('set-cookie', `${SESSION_COOKIE}=; ${cookieAttributes(request, 0)}`)
        .header('cache-control', 'no-store')
        .redirect(SIGN_IN);
    },
  });
};
