-- The API's state shared by every instance (processes, Lambda containers): rate-limit windows,
-- webhook signatures already used, and dashboard sessions. Not audit data: rows expire and are
-- pruned by the API (src/api/state-store.ts); losing them only resets limits or signs people out.

-- One fixed window per key ("addr:<ip>" before authentication, "principal:<id>" after).
CREATE TABLE api_rate_limits (
  key            text PRIMARY KEY,
  hits           integer NOT NULL,
  window_ends_at timestamptz NOT NULL
);
CREATE INDEX api_rate_limits_window_ends_at ON api_rate_limits (window_ends_at);

-- "<t>.<v1 hex>" of every accepted Handoff-Signature, kept until its timestamp is out of tolerance.
CREATE TABLE api_seen_signatures (
  signature  text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX api_seen_signatures_expires_at ON api_seen_signatures (expires_at);

-- Dashboard sessions: the SHA-256 of the random id the cookie holds (never the id, never the key),
-- and a fingerprint of the key that signed in, so removing a key from HANDOFF_API_KEYS ends its sessions.
CREATE TABLE api_sessions (
  id_sha256       text PRIMARY KEY,
  key_fingerprint text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL
);
CREATE INDEX api_sessions_expires_at ON api_sessions (expires_at);
