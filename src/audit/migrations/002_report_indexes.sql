-- Report indexes sized by bench/audit.ts (100,000 leads, ~700,000 events): the reports read
-- narrow index-only scans instead of the wide rows (the jsonb snapshot makes the table ~6x wider).

-- SLA report: every column it aggregates, for the rows after a hand-off, by qualification time.
DROP INDEX audit_events_sla_window;
CREATE INDEX audit_events_sla_window ON audit_events (qualified_at)
  INCLUDE (lead_id, cycle, type, at, seq, workflow_id, kind, owner_id, team, policy_version,
           sla_due_at, first_touch_at, breaches, sla_status, response_business_ms, response_calendar_ms)
  WHERE sla_first_due_at IS NOT NULL;

-- Funnel: the events that move a lead into a stage (one per stage, see ledger.ts), by time.
CREATE INDEX audit_events_stage_entries ON audit_events (at) INCLUDE (lead_id, stage)
  WHERE type IN ('ROUTED_TO_NURTURE', 'ROUTED_TO_REVIEW', 'QUALIFIED', 'ACCEPTED', 'SQL_QUALIFIED',
                 'CONVERTED', 'RECYCLED', 'DISQUALIFIED');

-- Replaced by the two above.
DROP INDEX audit_events_at;
