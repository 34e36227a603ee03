-- sla_cycles takes each cycle's outcome from the engine (lead.sla of the snapshots) instead of
-- deriving it: MET, BREACHED, PENDING or CLOSED_UNWORKED, how the clock was stopped, who held it
-- when it breached, and the owner the cycle is credited to. The engine decides each of them once
-- per cycle (PENDING until then), so the merges below pick the decided value and stay independent
-- of append order, ties in `at`, batching and retries, as every merge of migration 003 does.
-- Rebuild: DELETE FROM sla_cycles; then the INSERT at the end of this file.

-- PENDING, then any decided outcome (a cycle has one); NULL for events written before the engine recorded it.
CREATE FUNCTION sla_outcome_rank(outcome text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE outcome WHEN 'PENDING' THEN 1 WHEN 'CLOSED_UNWORKED' THEN 2 WHEN 'MET' THEN 3 WHEN 'BREACHED' THEN 4 ELSE 0 END
$$;

ALTER TABLE sla_cycles RENAME COLUMN owner_id TO qualified_owner_id;
DROP INDEX sla_cycles_owner;
ALTER TABLE sla_cycles
  ADD COLUMN outcome text,
  ADD COLUMN response_type text,
  -- Who held the clock at the cycle's first breach.
  ADD COLUMN breached_owner_id text,
  -- Who held the clock when it was met or the cycle closed unworked (it no longer moves after that).
  ADD COLUMN decided_owner_id text,
  -- Who holds the clock now, latest by (at, seq): the owner of a cycle still pending.
  ADD COLUMN latest_clock_owner_id text;
ALTER TABLE sla_cycles ADD COLUMN owner_id text GENERATED ALWAYS AS (
  CASE outcome
    WHEN 'BREACHED' THEN breached_owner_id
    WHEN 'PENDING' THEN latest_clock_owner_id
    WHEN 'MET' THEN decided_owner_id
    WHEN 'CLOSED_UNWORKED' THEN decided_owner_id
    ELSE qualified_owner_id
  END) STORED;
CREATE INDEX sla_cycles_owner ON sla_cycles (owner_id, qualified_at);

CREATE OR REPLACE FUNCTION sla_cycles_merge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sla_cycles AS c
  (lead_id, cycle, workflow_id, kind_rank, has_qualified, qualified_owner_id, team, policy_version, qualified_at,
     breached_due_at, touched_due_at, latest_at, latest_seq, latest_due_at, first_touch_at, breaches, ever_breached,
     response_business_ms, response_calendar_ms,
     outcome, response_type, breached_owner_id, decided_owner_id, latest_clock_owner_id)
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
    max(response_calendar_ms),
    (array_agg(lead->'sla'->>'outcome' ORDER BY sla_outcome_rank(lead->'sla'->>'outcome') DESC))[1],
    min(lead->'sla'->>'responseType'),
    min(lead->'sla'->>'breachedOwnerId'),
    min(lead->'sla'->>'clockOwnerId') FILTER (WHERE lead->'sla'->>'outcome' IN ('MET', 'CLOSED_UNWORKED')),
    (array_agg(lead->'sla'->>'clockOwnerId' ORDER BY at DESC, seq DESC))[1]
  FROM new_events
  WHERE sla_first_due_at IS NOT NULL
  GROUP BY lead_id, cycle
  -- Rows locked in key order: two appends touching the same leads cannot deadlock.
  ORDER BY lead_id, cycle
  ON CONFLICT (lead_id, cycle) DO UPDATE SET
    kind_rank = least(c.kind_rank, excluded.kind_rank),
    qualified_owner_id = CASE WHEN excluded.has_qualified AND NOT c.has_qualified THEN excluded.qualified_owner_id ELSE c.qualified_owner_id END,
    team = CASE WHEN excluded.has_qualified AND NOT c.has_qualified THEN excluded.team ELSE c.team END,
    has_qualified = c.has_qualified OR excluded.has_qualified,
    policy_version = least(c.policy_version, excluded.policy_version),
    qualified_at = least(c.qualified_at, excluded.qualified_at),
    breached_due_at = least(c.breached_due_at, excluded.breached_due_at),
    touched_due_at = least(c.touched_due_at, excluded.touched_due_at),
    latest_due_at = CASE WHEN (excluded.latest_at, excluded.latest_seq) > (c.latest_at, c.latest_seq) THEN excluded.latest_due_at ELSE c.latest_due_at END,
    latest_clock_owner_id = CASE WHEN (excluded.latest_at, excluded.latest_seq) > (c.latest_at, c.latest_seq) THEN excluded.latest_clock_owner_id ELSE c.latest_clock_owner_id END,
    latest_seq = CASE WHEN (excluded.latest_at, excluded.latest_seq) > (c.latest_at, c.latest_seq) THEN excluded.latest_seq ELSE c.latest_seq END,
    latest_at = greatest(c.latest_at, excluded.latest_at),
    first_touch_at = least(c.first_touch_at, excluded.first_touch_at),
    breaches = greatest(c.breaches, excluded.breaches),
    ever_breached = c.ever_breached OR excluded.ever_breached,
    response_business_ms = greatest(c.response_business_ms, excluded.response_business_ms),
    response_calendar_ms = greatest(c.response_calendar_ms, excluded.response_calendar_ms),
    outcome = CASE WHEN sla_outcome_rank(excluded.outcome) > sla_outcome_rank(c.outcome) THEN excluded.outcome ELSE c.outcome END,
    response_type = least(c.response_type, excluded.response_type),
    breached_owner_id = least(c.breached_owner_id, excluded.breached_owner_id),
    decided_owner_id = least(c.decided_owner_id, excluded.decided_owner_id);
  RETURN NULL;
END
$$;

-- Backfill: every cycle again, from the events already in the ledger.
DELETE FROM sla_cycles;
INSERT INTO sla_cycles
  (lead_id, cycle, workflow_id, kind_rank, has_qualified, qualified_owner_id, team, policy_version, qualified_at,
   breached_due_at, touched_due_at, latest_at, latest_seq, latest_due_at, first_touch_at, breaches, ever_breached,
   response_business_ms, response_calendar_ms,
   outcome, response_type, breached_owner_id, decided_owner_id, latest_clock_owner_id)
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
  max(response_calendar_ms),
  (array_agg(lead->'sla'->>'outcome' ORDER BY sla_outcome_rank(lead->'sla'->>'outcome') DESC))[1],
  min(lead->'sla'->>'responseType'),
  min(lead->'sla'->>'breachedOwnerId'),
  min(lead->'sla'->>'clockOwnerId') FILTER (WHERE lead->'sla'->>'outcome' IN ('MET', 'CLOSED_UNWORKED')),
  (array_agg(lead->'sla'->>'clockOwnerId' ORDER BY at DESC, seq DESC))[1]
FROM audit_events
WHERE sla_first_due_at IS NOT NULL
GROUP BY lead_id, cycle;
