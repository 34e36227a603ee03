import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { dashboardData, renderDashboard } from '../../audit/dashboard';
import { reportInstantSchema } from '../../audit/schemas';
import { DASHBOARD_COOKIE, queryKey } from '../auth';
import type { ApiContext } from '../context';
import { defineRoute } from '../route';
import { withLedger } from './audit';

const DAY = 24 * 60 * 60 * 1000;
const DEFAULT_WINDOW_DAYS = 28;
const COOKIE_MAX_AGE_S = 12 * 60 * 60;
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** The window defaults to the last four weeks, up to the end of today (UTC). */
export const dashboardQuerySchema = z
  .object({
    from: reportInstantSchema.optional(),
    to: reportInstantSchema.optional(),
    key: z.string().optional().describe('a revops API key, for a browser; exchanged for a cookie and removed from the URL'),
  })
  .strict()
  .transform(({ from, to, key }) => {
    const end = to ?? new Date(Math.ceil(Date.now() / DAY) * DAY).toISOString();
    return { from: from ?? new Date(Date.parse(end) - DEFAULT_WINDOW_DAYS * DAY).toISOString(), to: end, key };
  })
  .refine((q) => q.from < q.to, { message: '`to` must be after `from` (the window is [from, to))', path: ['to'] });

/** The page has no script and fetches nothing: the policy forbids everything but its inline CSS and SVG. */
function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers({
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
}

/**
 * GET /dashboard for RevOps. A browser cannot send a Bearer header, so the page also accepts
 * `?key=<revops key>` (answered with a redirect that moves the key into an HttpOnly, SameSite=Strict
 * cookie scoped to /dashboard, so it leaves the address bar and history) and that cookie.
 */
export const dashboardRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  defineRoute(app, ctx, {
    method: 'GET',
    url: '/dashboard',
    operationId: 'dashboard',
    summary: 'The RevOps dashboard (HTML): SLA compliance, response times, breaches, funnel, for [from, to)',
    tag: 'Audit',
    access: { kind: 'roles', roles: ['revops'], sources: { queryOrCookie: true } },
    query: dashboardQuerySchema,
    responses: {
      200: { description: 'The dashboard page', contentType: 'text/html' },
      303: { description: 'With ?key=: the key is set as a cookie and the browser sent back to /dashboard without it' },
    },
    errors: [400, 503],
    handler: async ({ query, request, reply }) => {
      const key = queryKey(request);
      if (key !== undefined) {
        // Plain http is for local use only; anywhere else the cookie must never travel without TLS
        // (API Gateway and load balancers terminate TLS, so the request itself may look like http).
        const secure = request.protocol === 'https' || !LOOPBACK.test(request.hostname) ? '; Secure' : '';
        const rest = new URLSearchParams(Object.entries(request.query as Record<string, string>).filter(([name]) => name !== 'key'));
        return reply
          .code(303)
          .header('set-cookie', `${DASHBOARD_COOKIE}=${encodeURIComponent(key)}; Path=/dashboard; Max-Age=${COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Strict${secure}`)
          .header('cache-control', 'no-store')
          .redirect(`/dashboard${rest.size > 0 ? `?${rest.toString()}` : ''}`);
      }
      const data = await withLedger(ctx, (ledger) => dashboardData(ledger, { from: query.from, to: query.to }));
      const html = renderDashboard(data, { temporalUiUrl: ctx.deps.temporalUiUrl ?? '', namespace: ctx.deps.temporal.namespace });
      return pageHeaders(reply).type('text/html; charset=utf-8').send(html);
    },
  });
};
