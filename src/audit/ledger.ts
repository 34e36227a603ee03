import path from 'node:path';
import type { Logger } from 'pino';
import { type AuditEvent, auditEventSchema } from '../domain/effects';
import type { Kind, Stage } from '../domain/model';
import { migrate } from './migrate';
import type { FunnelQuery, SlaFilter } from './schemas';
import { assertSchemaName, connectPostgres, openPglite, type SqlClient } from './sql';

export type LedgerOptions = {
  /** Postgres connection string; unset = the embedded PGlite ledger under `dataDir`. */
  databaseUrl?: string;
  /** HANDOFF_DATA_DIR; the embedded ledger lives in `<dataDir>/ledger`. Default `.handoff`. */
  dataDir?: string;
  /** Postgres schema of the ledger tables (tests and benchmarks use their own). Default `public`. */
  schema?: string;
  logger: Logger;
};

/** What the SQL knows about one qualification cycle; reports.ts turns it into an SLA outcome. */
export type SlaCycleFacts = {
  leadId: string;
  workflowId: string;
  cycle: number;
  kind: Kind;
  ownerId: string | null;
  team: string;
  policyVersion: string;
  qualifiedAt: string;
  dueAt: string | null;
  firstTouchAt: string | null;
  breaches: number;
  everBreached: boolean;
  responseBusinessMs: number | null;
  responseCalendarMs: number | null;
};

export type FunnelFacts = {
  stages: Record<Stage, number>;
  /** Leads that entered the first stage of each pair in the window and the second one after it. */
  converted: { mqlSal: number; salSql: number; sqlConverted: number };
  reasons: { type: 'RECYCLED' | 'DISQUALIFIED'; reason: string; count: number }[];
};

export interface Ledger {
  readonly driver: 'postgres' | 'pglite';
  /** Where the ledger lives, safe to print. */
  readonly location: string;
  /** Validates and inserts; an event whose id is already there is skipped, so a retry inserts nothing twice. */
  append(events: readonly AuditEvent[]): Promise<{ inserted: number }>;
  /** One row per (lead, cycle) handed to sales with `qualifiedAt` in [from, to), in qualification order. */
  slaCycles(filter: SlaFilter): Promise<SlaCycleFacts[]>;
  funnel(window: FunnelQuery): Promise<FunnelFacts>;
  /** A lead's events in the order they happened. */
  events(leadId: string): Promise<AuditEvent[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const APPEND_CHUNK = 2_000;

export async function createLedger(options: LedgerOptions): Promise<Ledger> {
  const schema = options.schema ?? 'public';
  assertSchemaName(schema);
  const logger = options.logger.child({ component: 'ledger' });
  const db = options.databaseUrl
    ? await connectPostgres(options.databaseUrl, schema, logger)
    : await openPglite(path.resolve(options.dataDir ?? '.handoff'), schema);
  try {
    await migrate(db, schema, logger);
  } catch (err) {
    await db.close();
    throw err;
  }
  logger.info({ driver: db.driver, location: db.location, schema }, 'ledger ready');
  return ledgerOn(db);
}

function ledgerOn(db: SqlClient): Ledger {
  return {
    driver: db.driver,
    location: db.location,
    async append(events) {
      const valid = auditEventSchema.array().parse(events);
      let inserted = 0;
      for (let i = 0; i < valid.length; i += APPEND_CHUNK) {
        const { rowCount } = await db.query(INSERT_EVENTS, [JSON.stringify(valid.slice(i, i + APPEND_CHUNK))]);
        inserted += rowCount;
      }
      return { inserted };
    },
    async slaCycles(filter) {
      const { rows } = await db.query<SlaCycleRow>(SLA_CYCLES, [
        filter.from,
        filter.to,
        filter.kind ?? null,
        filter.ownerId ?? null,
        filter.team ?? null,
      ]);
      return rows.map(toSlaCycleFacts);
    },
    async funnel(window) {
      const [stages, reasons] = await Promise.all([
        db.query<FunnelRow>(FUNNEL_STAGES, [window.from, window.to]),
        db.query<{ type: 'RECYCLED' | 'DISQUALIFIED'; reason: string; count: number }>(FUNNEL_REASONS, [window.from, window.to]),
      ]);
      const r = stages.rows[0];
      if (!r) throw new Error('funnel query returned no row');
      return {
        stages: {
          NURTURE: r.nurture,
          REVIEW: r.review,
          MQL: r.mql,
          SAL: r.sal,
          SQL: r.sql,
          CONVERTED: r.converted,
          RECYCLED: r.recycled,
          DISQUALIFIED: r.disqualified,
        },
        converted: { mqlSal: r.mql_sal, salSql: r.sal_sql, sqlConverted: r.sql_converted },
        reasons: reasons.rows,
      };
    },
    async events(leadId) {
      const { rows } = await db.query<EventRow>(LEAD_EVENTS, [leadId]);
      return rows.map((r) => ({
        id: r.id,
        leadId: r.lead_id,
        workflowId: r.workflow_id,
        type: r.type,
        at: r.at.toISOString(),
        actor: r.actor,
        cycle: r.cycle,
        policyVersion: r.policy_version,
        detail: r.detail,
        lead: r.lead,
      }));
    },
    async ping() {
      await db.query('SELECT 1');
    },
    close: () => db.close(),
  };
}

// The event array travels as one jsonb parameter: one round trip per chunk, and the same SQL on
// both drivers. ORDER BY the array position so `seq` follows the order the workflow emitted.
const INSERT_EVENTS = `
INSERT INTO audit_events (
  id, lead_id, workflow_id, type, at, actor, cycle, policy_version,
  stage, kind, owner_id, team, qualified_at, sla_due_at, sla_first_due_at, sla_status,
  first_touch_at, breaches, response_business_ms, response_calendar_ms, detail, lead)
SELECT
  e->>'id', e->>'leadId', e->>'workflowId', e->>'type', (e->>'at')::timestamptz, e->>'actor',
  (e->>'cycle')::int, e->>'policyVersion',
  e->'lead'->>'stage', e->'lead'->>'kind', e->'lead'->>'ownerId', e->'lead'->>'team',
  (e->'lead'->>'qualifiedAt')::timestamptz,
  (e->'lead'->'sla'->>'dueAt')::timestamptz,
  (e->'lead'->'sla'->>'firstDueAt')::timestamptz,
  e->'lead'->'sla'->>'status',
  (e->'lead'->'sla'->>'firstTouchAt')::timestamptz,
  (e->'lead'->'sla'->>'breaches')::int,
  (e->'lead'->'sla'->>'responseBusinessMs')::double precision,
  (e->'lead'->'sla'->>'responseCalendarMs')::double precision,
  e->'detail', e->'lead'
FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n)
ORDER BY n
ON CONFLICT (id) DO NOTHING`;

// Rows with a first due date are the ones after the hand-off to sales, and they all carry this
// cycle's qualifiedAt (a cycle opened by REVIEW still shows the previous cycle's until then).
// Owner and team are the first row's: the owner at qualification, who held the first deadline.
// dueAt is the deadline in force when the outcome was decided (first touch or first breach),
// so a kind upgrade's tightened deadline counts and a reassignment's fresh one does not.
const SLA_CYCLES = `
WITH cycles AS (
  SELECT
    lead_id, cycle,
    (array_agg(workflow_id ORDER BY at DESC, seq DESC))[1] AS workflow_id,
    (array_agg(kind ORDER BY at DESC, seq DESC))[1] AS kind,
    (array_agg(owner_id ORDER BY at, seq))[1] AS owner_id,
    (array_agg(team ORDER BY at, seq))[1] AS team,
    (array_agg(policy_version ORDER BY at DESC, seq DESC))[1] AS policy_version,
    min(qualified_at) AS qualified_at,
    coalesce(
      (array_agg(sla_due_at ORDER BY at, seq) FILTER (WHERE breaches > 0 OR first_touch_at IS NOT NULL))[1],
      (array_agg(sla_due_at ORDER BY at DESC, seq DESC))[1]) AS due_at,
    min(first_touch_at) AS first_touch_at,
    max(breaches) AS breaches,
    bool_or(sla_status = 'BREACHED') AS ever_breached,
    max(response_business_ms) AS response_business_ms,
    max(response_calendar_ms) AS response_calendar_ms
  FROM audit_events
  WHERE sla_first_due_at IS NOT NULL AND qualified_at >= $1 AND qualified_at < $2
  GROUP BY lead_id, cycle
)
SELECT * FROM cycles
WHERE ($3::text IS NULL OR kind = $3) AND ($4::text IS NULL OR owner_id = $4) AND ($5::text IS NULL OR team = $5)
ORDER BY qualified_at, lead_id, cycle`;

type SlaCycleRow = {
  lead_id: string;
  cycle: number;
  workflow_id: string;
  kind: Kind;
  owner_id: string | null;
  team: string;
  policy_version: string;
  qualified_at: Date;
  due_at: Date | null;
  first_touch_at: Date | null;
  breaches: number;
  ever_breached: boolean;
  response_business_ms: number | null;
  response_calendar_ms: number | null;
};

function toSlaCycleFacts(r: SlaCycleRow): SlaCycleFacts {
  return {
    leadId: r.lead_id,
    workflowId: r.workflow_id,
    cycle: r.cycle,
    kind: r.kind,
    ownerId: r.owner_id,
    team: r.team,
    policyVersion: r.policy_version,
    qualifiedAt: r.qualified_at.toISOString(),
    dueAt: r.due_at?.toISOString() ?? null,
    firstTouchAt: r.first_touch_at?.toISOString() ?? null,
    breaches: r.breaches,
    everBreached: r.ever_breached,
    responseBusinessMs: r.response_business_ms,
    responseCalendarMs: r.response_calendar_ms,
  };
}

// A stage is entered by the event whose snapshot stage differs from the lead's previous event
// (any type of event can move a lead, so the snapshot, not the event type, is the truth). The
// previous event may be older than the window, hence the lag over each lead's earlier events.
const FUNNEL_STAGES = `
WITH ev AS (
  SELECT lead_id, stage, at, lag(stage) OVER (PARTITION BY lead_id ORDER BY at, seq) AS prev
  FROM audit_events
  WHERE at < $2 AND lead_id IN (SELECT lead_id FROM audit_events WHERE at >= $1 AND at < $2)
),
entered AS (
  SELECT lead_id, stage, min(at) AS at
  FROM ev
  WHERE at >= $1 AND prev IS DISTINCT FROM stage
  GROUP BY lead_id, stage
),
per_lead AS (
  SELECT lead_id,
    min(at) FILTER (WHERE stage = 'NURTURE') AS nurture,
    min(at) FILTER (WHERE stage = 'REVIEW') AS review,
    min(at) FILTER (WHERE stage = 'MQL') AS mql,
    min(at) FILTER (WHERE stage = 'SAL') AS sal,
    min(at) FILTER (WHERE stage = 'SQL') AS sql,
    min(at) FILTER (WHERE stage = 'CONVERTED') AS converted,
    min(at) FILTER (WHERE stage = 'RECYCLED') AS recycled,
    min(at) FILTER (WHERE stage = 'DISQUALIFIED') AS disqualified
  FROM entered
  GROUP BY lead_id
)
SELECT
  count(nurture)::int AS nurture, count(review)::int AS review, count(mql)::int AS mql, count(sal)::int AS sal,
  count(sql)::int AS sql, count(converted)::int AS converted, count(recycled)::int AS recycled,
  count(disqualified)::int AS disqualified,
  count(*) FILTER (WHERE sal >= mql)::int AS mql_sal,
  count(*) FILTER (WHERE sql >= sal)::int AS sal_sql,
  count(*) FILTER (WHERE converted >= sql)::int AS sql_converted
FROM per_lead`;

type FunnelRow = Record<
  'nurture' | 'review' | 'mql' | 'sal' | 'sql' | 'converted' | 'recycled' | 'disqualified' | 'mql_sal' | 'sal_sql' | 'sql_converted',
  number
>;

const FUNNEL_REASONS = `
SELECT type, coalesce(detail->>'reason', 'UNKNOWN') AS reason, count(*)::int AS count
FROM audit_events
WHERE type IN ('RECYCLED', 'DISQUALIFIED') AND at >= $1 AND at < $2
GROUP BY 1, 2
ORDER BY count DESC, reason`;

const LEAD_EVENTS = `
SELECT id, lead_id, workflow_id, type, at, actor, cycle, policy_version, detail, lead
FROM audit_events WHERE lead_id = $1 ORDER BY at, seq`;

type EventRow = {
  id: string;
  lead_id: string;
  workflow_id: string;
  type: AuditEvent['type'];
  at: Date;
  actor: string | null;
  cycle: number;
  policy_version: string;
  detail: AuditEvent['detail'];
  lead: AuditEvent['lead'];
};
