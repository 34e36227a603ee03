-- The audit ledger: one row per lifecycle event, append-only, idempotent on the event id.
-- Reportable snapshot fields are real columns (indexed, typed); the whole snapshot and the
-- event detail are kept as jsonb so the original AuditEvent can always be rebuilt.
CREATE TABLE audit_events (
  id                   text PRIMARY KEY,
  seq                  bigint GENERATED ALWAYS AS IDENTITY,
  lead_id              text NOT NULL,
  workflow_id          text NOT NULL,
  type                 text NOT NULL,
  at                   timestamptz NOT NULL,
  actor                text,
  cycle                integer NOT NULL,
  policy_version       text NOT NULL,
  stage                text NOT NULL,
  kind                 text NOT NULL,
  owner_id             text,
  team                 text NOT NULL,
  qualified_at         timestamptz,
  sla_due_at           timestamptz,
  sla_first_due_at     timestamptz,
  sla_status           text NOT NULL,
  first_touch_at       timestamptz,
  breaches             integer NOT NULL,
  response_business_ms double precision,
  response_calendar_ms double precision,
  detail               jsonb NOT NULL,
  lead                 jsonb NOT NULL,
  recorded_at          timestamptz NOT NULL DEFAULT now()
);

-- Timeline and funnel (stage entries need each lead's events in order).
CREATE INDEX audit_events_lead_at ON audit_events (lead_id, at, seq);
-- SLA report: the cycles qualified in a window; only rows after the hand-off carry a due date.
CREATE INDEX audit_events_sla_window ON audit_events (qualified_at, lead_id, cycle, at, seq)
  WHERE sla_first_due_at IS NOT NULL;
-- Funnel window and recycle / disqualify reasons.
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_type_at ON audit_events (type, at);

CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();

CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
