import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { LedgerUnavailableError } from '../../audit/errors';
import type { Ledger } from '../../audit/ledger';
import { funnelReport, mergeTimeline, slaCsv, slaReport, timeline } from '../../audit/reports';
import { funnelQuerySchema, funnelReportSchema, slaQuerySchema, slaReportSchema, timelineEntrySchema } from '../../audit/schemas';
import type { ApiContext } from '../context';
import { ApiError, unavailable } from '../errors';
import { historyTimeline } from '../history-timeline';
import { defineRoute } from '../route';
import { leadParamsSchema } from './leads';

export const timelineSchema = z.object({ leadId: z.string(), workflowId: z.string(), entries: z.array(timelineEntrySchema) });

/** Runs a ledger read; an unreachable or missing ledger is a 503, never a 500. */
export async function withLedger<T>(ctx: ApiContext, read: (ledger: Ledger) => Promise<T>): Promise<T> {
  const ledger = ctx.deps.ledger;
  if (!ledger) throw unavailable('the audit ledger is not configured');
  try {
    return await read(ledger);
  } catch (err) {
    if (err instanceof LedgerUnavailableError) throw unavailable(`the audit ledger is unavailable: ${err.message}`);
    throw err;
  }
}

/** RevOps reads: SLA compliance, the funnel, and one lead's merged audit trail. */
export const auditRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const revops = { kind: 'roles', roles: ['revops'] } as const;

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/v1/audit/sla',
    operationId: 'slaReport',
    summary: 'SLA compliance report (JSON, or CSV with format=csv); a lead counts in the window where it was qualified',
    tag: 'Audit',
    access: revops,
    query: slaQuerySchema,
    responses: { 200: { description: 'The SLA report (format=csv: text/csv, one row per lead)', schema: slaReportSchema } },
    errors: [400, 503],
    handler: async ({ query, reply }) => {
      const { format, ...filter } = query;
      const report = await withLedger(ctx, (ledger) => slaReport(ledger, filter));
      if (format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="sla-${filter.from.slice(0, 10)}-${filter.to.slice(0, 10)}.csv"`)
          .send(slaCsv(report.leads));
      }
      return report;
    },
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/v1/audit/funnel',
    operationId: 'funnelReport',
    summary: 'Stage conversion and recycle / disqualify reasons in a window',
    tag: 'Audit',
    access: revops,
    query: funnelQuerySchema,
    responses: { 200: { description: 'The funnel report', schema: funnelReportSchema } },
    errors: [400, 503],
    handler: async ({ query }) => withLedger(ctx, (ledger) => funnelReport(ledger, query)),
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/v1/leads/:leadId/timeline',
    operationId: 'leadTimeline',
    summary: "The lead's audit trail: ledger rows merged with the Temporal history, each with its source and server time",
    tag: 'Audit',
    access: revops,
    params: leadParamsSchema,
    responses: { 200: { description: 'The timeline, oldest first', schema: timelineSchema } },
    errors: [400, 404, 503],
    handler: async ({ params }) => {
      const [ledgerEntries, history] = await Promise.all([
        withLedger(ctx, (ledger) => timeline(ledger, params.leadId)),
        ctx.leads.history(params.leadId).catch((err: unknown) => {
          // Temporal forgets closed workflows after the namespace retention; the ledger remembers.
          if (err instanceof ApiError && err.code === 'LEAD_NOT_FOUND') return undefined;
          throw err;
        }),
      ]);
      if (!history && ledgerEntries.length === 0) throw new ApiError(404, 'LEAD_NOT_FOUND', `no lead ${params.leadId}`);
      const entries = mergeTimeline(
        ledgerEntries.map(({ source: _source, ...entry }) => entry),
        history ? historyTimeline(history) : [],
      );
      return { leadId: params.leadId, workflowId: `lead-${params.leadId}`, entries };
    },
  });
};
