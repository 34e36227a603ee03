import path from 'node:path';
import type { Logger } from 'pino';
import { type AuditEvent, auditEventSchema } from '../domain/effects';
import type { PriorLife } from '../domain/inputs';
import { type Kind, KINDS, type Stage, STAGES } from '../domain/model';
import type { ResponseType, SlaOutcome } from '../domain/state';
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
  /** Apply pending migrations on open (default); `false` opens the ledger as it is, for `handoff doctor`. */
  migrate?: boolean;
  logger: Logger;
};

/** What the SQL knows about one qualification cycle; reports.ts turns it into an SLA outcome. */
export type SlaCycleFacts = {
  leadId: string;
  workflowId: string;
  cycle: number;
  kind: Kind;
  /** The owner credited: who held the clock when it was met, breached or closed; for a pending cycle, who holds it now. */
  ownerId: string | null;
  breachedOwnerId: string | null;
  team: string;
  policyVersion: string;
  qualifiedAt: string;
  dueAt: string | null;
  firstTouchAt: string | null;
  breaches: number;
  everBreached: boolean;
  /** The engine's outcome; null only for cycles written before it recorded one (migration 004). */
  outcome: SlaOutcome | null;
  responseType: ResponseType | null;
  responseBusinessMs: number | null;
  responseCalendarMs: number | null;
};

export type SyncFailure = { leadId: string; workflowId: string; at: string; code: string; fields: string[] };

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
  /**
   * What the ledger knows of a lead whose last event closed it (CONVERTED or DISQUALIFIED): when,
   * how many cycles it had, and every event and request id it saw. Null for a lead still open or unknown.
   */
  closedLead(leadId: string): Promise<PriorLife | null>;
  /** Leads whose last Salesforce write outcome is a failure (SYNC_ERROR or WRITE_FAILED, not recovered since), newest first. */
  syncFailing(limit: number): Promise<SyncFailure[]>;
  ping(): Promise<void>;
  /** `NNN_name` of every migration recorded as applied (none on a ledger never migrated). */
  appliedMigrations(): Promise<string[]>;
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
    if (options.migrate !== false) await migrate(db, schema, logger);
  } catch (err) {
    await db.close();
    throw err;
  }
  logger.info({ driver: db.driver, location: db.location, schema }, 'ledger ready');
  return ledgerOn(db);
}

// The funnel aggregates a quarter's leads in one hash table: give it the memory to stay off disk,
// and skip JIT, whose compile time exceeds what it saves on sub-second queries. SET LOCAL ends
// with the transaction, so appends on the same pool keep the server defaults.
const REPORT_SETTINGS = `SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`;

function ledgerOn(db: SqlClient): Ledger {
  const report = <R>(text: string, params: unknown[]) =>
    db.transaction(async (tx) => {
      await tx.exec(REPORT_SETTINGS);
      return (await tx.query<R>(text, params)).rows;
    });
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
      const kindRank = filter.kind ? KINDS.indexOf(filter.kind) + 1 : null;
      const { rows } = await db.query<SlaCycleRow>(SLA_CYCLES, [
        filter.from,
        filter.to,
        kindRank,
        filter.ownerId ?? null,
        filter.team ?? null,
      ]);
      return rows.map(toSlaCycleFacts);
    },
    async funnel(window) {
      const [stages, reasons] = await Promise.all([
        report<FunnelRow>(FUNNEL_STAGES, [window.from, window.to]),
        report<FunnelFacts['reasons'][number]>(FUNNEL_REASONS, [window.from, window.to]),
      ]);
      const r = stages[0];
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
        reasons,
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
    async closedLead(leadId) {
      const { rows } = await db.query<{ stage: string; at: Date; cycle: number }>(LAST_EVENT, [leadId]);
      const last = rows[0];
      if (!last || (last.stage !== 'CONVERTED' && last.stage !== 'DISQUALIFIED')) return null;
      const seen = await db.query<{ id: string }>(SEEN_IDS, [leadId]);
      return {
        stage: last.stage,
        closedAt: last.at.toISOString(),
        cycle: last.cycle,
        seenIds: seen.rows.map((r) => r.id).reverse(),
      };
    },
    async syncFailing(limit) {
      const { rows } = await db.query<{
        lead_id: string;
        workflow_id: string;
        at: Date;
        code: string | null;
        fields: string[] | null;
      }>(SYNC_FAILING, [limit]);
      return rows.map((r) => ({
        leadId: r.lead_id,
        workflowId: r.workflow_id,
        at: r.at.toISOString(),
        code: r.code ?? 'ERROR',
        fields: r.fields ?? [],
      }));
    },
    async ping() {
      await db.query('SELECT 1');
    },
    async appliedMigrations() {
      const { rows: table } = await db.query<{ t: string | null }>(
        "SELECT to_regclass('schema_migrations')::text AS t",
      );
      if (!table[0]?.t) return [];
      const { rows } = await db.query<{ version: string; name: string }>(
        'SELECT version, name FROM schema_migrations ORDER BY version',
      );
      return rows.map((r) => `${r.version}_${r.name}`);
    },
    close: () => db.close(),
  };
}

// The event array travels as one jsonb parameter: one round trip per chunk, and the same SQL on
// both drivers. ORDER BY the array position so `seq` follows the order the workflow emitted.
// Exported for the test that writes rows as an older engine did, past the append's validation.
export const INSERT_EVENTS = `
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

// One row per cycle, kept by the trigger of migrations 003 and 004 (their headers have the rules). dueAt is
// the deadline in force when the outcome was decided: the first missed one (deadlines after a
// breach restart later), else the one met (a first touch closes the window), else, still pending,
// the latest. Instants travel as epoch milliseconds: a quarter is 100,000 rows, and numbers cost
// the driver far less to decode than timestamps.
const SLA_CYCLES = `
SELECT
  lead_id, cycle, workflow_id, kind_rank, owner_id, breached_owner_id, team, policy_version, breaches, ever_breached,
  outcome, response_type, response_business_ms, response_calendar_ms,
  date_part('epoch', qualified_at) * 1000 AS qualified_at_ms,
  date_part('epoch', coalesce(breached_due_at, touched_due_at, latest_due_at)) * 1000 AS due_at_ms,
  date_part('epoch', first_touch_at) * 1000 AS first_touch_at_ms
FROM sla_cycles
WHERE qualified_at >= $1 AND qualified_at < $2
  AND ($3::int IS NULL OR kind_rank = $3) AND ($4::text IS NULL OR owner_id = $4) AND ($5::text IS NULL OR team = $5)
ORDER BY qualified_at, lead_id, cycle`;

type SlaCycleRow = {
  lead_id: string;
  cycle: number;
  workflow_id: string;
  kind_rank: number;
  owner_id: string | null;
  breached_owner_id: string | null;
  team: string | null;
  policy_version: string;
  outcome: SlaOutcome | null;
  response_type: ResponseType | null;
  qualified_at_ms: number;
  due_at_ms: number | null;
  first_touch_at_ms: number | null;
  breaches: number;
  ever_breached: boolean;
  response_business_ms: number | null;
  response_calendar_ms: number | null;
};

/** date_part gives float seconds: round away the binary fraction (the ledger keeps milliseconds). */
const isoFromEpochMs = (ms: number): string => new Date(Math.round(ms)).toISOString();

function toSlaCycleFacts(r: SlaCycleRow): SlaCycleFacts {
  return {
    leadId: r.lead_id,
    workflowId: r.workflow_id,
    cycle: r.cycle,
    kind: KINDS[r.kind_rank - 1] ?? 'MQL',
    ownerId: r.owner_id,
    breachedOwnerId: r.breached_owner_id,
    team: r.team ?? '',
    policyVersion: r.policy_version,
    qualifiedAt: isoFromEpochMs(r.qualified_at_ms),
    dueAt: r.due_at_ms === null ? null : isoFromEpochMs(r.due_at_ms),
    firstTouchAt: r.first_touch_at_ms === null ? null : isoFromEpochMs(r.first_touch_at_ms),
    breaches: r.breaches,
    everBreached: r.ever_breached,
    outcome: r.outcome,
    responseType: r.response_type,
    responseBusinessMs: r.response_business_ms,
    responseCalendarMs: r.response_calendar_ms,
  };
}

// The engine emits one event type for each move into a stage (QUALIFIED → MQL, ACCEPTED → SAL,
// …) and its snapshot carries the stage entered; the list matches the partial index of
// migration 002 so the planner can use it. A lead counts once per stage, at its first entry.
const STAGE_ENTRY_TYPES = [
  'ROUTED_TO_NURTURE',
  'ROUTED_TO_REVIEW',
  'QUALIFIED',
  'ACCEPTED',
  'SQL_QUALIFIED',
  'CONVERTED',
  'RECYCLED',
  'DISQUALIFIED',
] as const satisfies readonly AuditEvent['type'][];

const FUNNEL_STAGES = `
WITH per_lead AS (
  SELECT lead_id,
    ${STAGES.map((st) => `min(at) FILTER (WHERE stage = '${st}') AS ${st.toLowerCase()}`).join(',\n    ')}
  FROM audit_events
  WHERE at >= $1 AND at < $2 AND type IN (${STAGE_ENTRY_TYPES.map((t) => `'${t}'`).join(', ')})
  GROUP BY lead_id
)
SELECT
  ${STAGES.map((st) => `count(${st.toLowerCase()})::int AS ${st.toLowerCase()}`).join(', ')},
  count(*) FILTER (WHERE sal >= mql)::int AS mql_sal,
  count(*) FILTER (WHERE sql >= sal)::int AS sal_sql,
  count(*) FILTER (WHERE converted >= sql)::int AS sql_converted
FROM per_lead`;

type FunnelRow = Record<
  | 'nurture'
  | 'review'
  | 'mql'
  | 'sal'
  | 'sql'
  | 'converted'
  | 'recycled'
  | 'disqualified'
  | 'mql_sal'
  | 'sal_sql'
  | 'sql_converted',
  number
>;

const FUNNEL_REASONS = `
SELECT type, coalesce(detail->>'reason', 'UNKNOWN') AS reason, count(*)::int AS count
FROM audit_events
WHERE type IN ('RECYCLED', 'DISQUALIFIED') AND at >= $1 AND at < $2
GROUP BY 1, 2
ORDER BY count DESC, reason`;

const SYNC_FAILING = `
SELECT lead_id, workflow_id, at, detail->>'code' AS code,
  CASE WHEN jsonb_typeof(detail->'fields') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(detail->'fields')) END AS fields
FROM (
  SELECT DISTINCT ON (lead_id) lead_id, workflow_id, at, type, detail
  FROM audit_events WHERE type IN ('SYNC_ERROR', 'SYNC_RECOVERED', 'WRITE_FAILED')
  ORDER BY lead_id, at DESC, seq DESC
) latest
WHERE type <> 'SYNC_RECOVERED'
ORDER BY at DESC LIMIT $1`;

const LAST_EVENT = `
SELECT stage, at, (SELECT max(cycle) FROM audit_events WHERE lead_id = $1) AS cycle
FROM audit_events WHERE lead_id = $1 ORDER BY at DESC, seq DESC LIMIT 1`;

// The ids a lead's events and requests carried (the engine stamps them in the detail), newest last.
const SEEN_IDS = `
SELECT id FROM (
  SELECT DISTINCT ON (id) id, seq FROM (
    SELECT detail->>'eventId' AS id, seq FROM audit_events WHERE lead_id = $1 AND detail ? 'eventId'
    UNION ALL SELECT detail->>'requestId', seq FROM audit_events WHERE lead_id = $1 AND detail ? 'requestId'
    UNION ALL SELECT jsonb_array_elements_text(detail->'activityEventIds'), seq FROM audit_events
      WHERE lead_id = $1 AND jsonb_typeof(detail->'activityEventIds') = 'array'
  ) ids ORDER BY id, seq DESC
) latest ORDER BY seq DESC LIMIT 2000`;

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
