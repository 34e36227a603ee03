-- sla_cycles: one row per (lead, qualification cycle) handed to sales, kept by a trigger on every
-- append, so the SLA report reads ~one row per lead instead of aggregating every event of the
-- window (bench/audit.ts: 100,000 leads). It is derived data: audit_events stays the record, the
-- application never writes here, and every column merges with min / max / or / latest-by-(at, seq),
-- so appends may arrive in any order, be retried, or come in any batching and give the same row.
-- Rebuild: DELETE FROM sla_cycles; then the INSERT at the end of this file.

CREATE TABLE sla_cycles (
  lead_id              text NOT NULL,
  cycle                integer NOT NULL,
  workflow_id          text NOT NULL,
  -- Position in the kinds' priority order (1 = HAND_RAISE): a kind only ever gets stronger.
  kind_rank            integer NOT NULL,
  -- The owner and team of the QUALIFIED event: the owner at qualification.
  has_qualified        boolean NOT NULL,
  owner_id             text,
  team                 text,
  policy_version       text NOT NULL,
  qualified_at         timestamptz NOT NULL,
  -- Deadlines: the first missed one, the one in force at the first touch, and the latest one.
  breached_due_at      timestamptz,
  touched_due_at       timestamptz,
  latest_at            timestamptz NOT NULL,
  latest_seq           bigint NOT NULL,
  latest_due_at        timestamptz,
  first_touch_at       timestamptz,
  breaches             integer NOT NULL,
  ever_breached        boolean NOT NULL,
  response_business_ms double precision,
  response_calendar_ms double precision,
  PRIMARY KEY (lead_id, cycle)
);
CREATE INDEX sla_cycles_window ON sla_cycles (qualified_at, lead_id, cycle);
CREATE INDEX sla_cycles_owner ON sla_cycles (owner_id, qualified_at);

-- Rows with a first due date are the ones after the hand-off to sales, and they all carry this
-- cycle's qualifiedAt (a cycle opened by REVIEW still shows the previous cycle's until then).
CREATE FUNCTION sla_cycles_merge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sla_cycles AS c
  (lead_id, cycle, workflow_id, kind_rank, has_qualified, owner_id, team, policy_version, qualified_at,
     breached_due_at, touched_due_at, latest_at, latest_seq, latest_due_at, first_touch_at, breaches, ever_breached,
     response_business_ms, response_calendar_ms)
  SELECT
    lead_id, cycle, min(workflow_id),
    min(array_position(ARRAY['HAND_RAISE', 'PQL', 'MQL'], kind)),
    bool_or(type = 'QUALIFIED'),
    coalesce(min(owner_id) FILTER (WHERE type = 'QUALIFIED'), (array_agg(owner_id ORDER BY at, seq))[1]),
    coalesce(min(team) FILTER (WHERE type = 'QUALIFIED'), (array_agg(team ORDER BY at, seq))[1]),
    min(policy_version),
    min(qualified_at),
    min(sla_due_at) FILTER (WHERE breaches > 0),
    min(sla_due_at) FILTER (WHERE first_touch_at IS NOT NULL),
    (array_agg(at ORDER BY at DESC, seq DESC))[1],
    (array_agg(seq ORDER BY at DESC, seq DESC))[1],
    (array_agg(sla_due_at ORDER BY at DESC, seq DESC))[1],
    min(first_touch_at),
    max(breaches),
    bool_or(sla_status = 'BREACHED'),
    max(response_business_ms),
    max(response_calendar_ms)
  FROM new_events
  WHERE sla_first_due_at IS NOT NULL
  GROUP BY lead_id, cycle
  -- Rows locked in key order: two appends touching the same leads cannot deadlock.
  ORDER BY lead_id, cycle
  ON CONFLICT (lead_id, cycle) DO UPDATE SET
    kind_rank = least(c.kind_rank, excluded.kind_rank),
    owner_id = CASE WHEN excluded.has_qualified AND NOT c.has_qualified THEN excluded.owner_id ELSE c.owner_id END,
    team = CASE WHEN excluded.has_qualified AND NOT c.has_qualified THEN excluded.team ELSE c.team END,
    has_qualified = c.has_qualified OR excluded.has_qualified,
    policy_version = least(c.policy_version, excluded.policy_version),
    qualified_at = least(c.qualified_at, excluded.qualified_at),
    breached_due_at = least(c.breached_due_at, excluded.breached_due_at),
    touched_due_at = least(c.touched_due_at, excluded.touched_due_at),
    latest_due_at = CASE WHEN (excluded.latest_at, excluded.latest_seq) > (c.latest_at, c.latest_seq) THEN excluded.latest_due_at ELSE c.latest_due_at END,
    latest_seq = CASE WHEN (excluded.latest_at, excluded.latest_seq) > (c.latest_at, c.latest_seq) THEN excluded.latest_seq ELSE c.latest_seq END,
    latest_at = greatest(c.latest_at, excluded.latest_at),
    first_touch_at = least(c.first_touch_at, excluded.first_touch_at),
    breaches = greatest(c.breaches, excluded.breaches),
    ever_breached = c.ever_breached OR excluded.ever_breached,
    response_business_ms = greatest(c.response_business_ms, excluded.response_business_ms),
    response_calendar_ms = greatest(c.response_calendar_ms, excluded.response_calendar_ms);
  RETURN NULL;
END
$$;

CREATE TRIGGER audit_events_sla_cycles
  AFTER INSERT ON audit_events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION sla_cycles_merge();

-- The SLA report no longer reads audit_events by qualification time.
DROP INDEX audit_events_sla_window;

-- Backfill from the events already in the ledger.
INSERT INTO sla_cycles
  (lead_id, cycle, workflow_id, kind_rank, has_qualified, owner_id, team, policy_version, qualified_at,
   breached_due_at, touched_due_at, latest_at, latest_seq, latest_due_at, first_touch_at, breaches, ever_breached,
   response_business_ms, response_calendar_ms)
SELECT
  lead_id, cycle, min(workflow_id),
  min(array_position(ARRAY['HAND_RAISE', 'PQL', 'MQL'], kind)),
  bool_or(type = 'QUALIFIED'),
  coalesce(min(owner_id) FILTER (WHERE type = 'QUALIFIED'), (array_agg(owner_id ORDER BY at, seq))[1]),
  coalesce(min(team) FILTER (WHERE type = 'QUALIFIED'), (array_agg(team ORDER BY at, seq))[1]),
  min(policy_version),
  min(qualified_at),
  min(sla_due_at) FILTER (WHERE breaches > 0),
  min(sla_due_at) FILTER (WHERE first_touch_at IS NOT NULL),
  (array_agg(at ORDER BY at DESC, seq DESC))[1],
  (array_agg(seq ORDER BY at DESC, seq DESC))[1],
  (array_agg(sla_due_at ORDER BY at DESC, seq DESC))[1],
  min(first_touch_at),
  max(breaches),
  bool_or(sla_status = 'BREACHED'),
  max(response_business_ms),
  max(response_calendar_ms)
FROM audit_events
WHERE sla_first_due_at IS NOT NULL
GROUP BY lead_id, cycle;
