-- Up Migration
-- One row per ledger event, as stored: the searchable copy of the event store for auditors.
CREATE TABLE audit_log (
  global_position bigint      PRIMARY KEY,
  event_id        uuid        NOT NULL,
  stream          text        NOT NULL,
  stream_revision bigint      NOT NULL,
  event_type      text        NOT NULL,
  payment_id      text,
  tenant_id       text        NOT NULL,
  actor           text,
  source          text,
  correlation_id  text,
  causation_id    text,
  data            jsonb       NOT NULL,
  metadata        jsonb       NOT NULL,
  recorded_at     timestamptz NOT NULL,
  -- By stream (a payment's history: stream = 'payment-' || payment_id), and the revision guard.
  UNIQUE (stream, stream_revision)
);

-- Every API read is tenant-scoped, so tenant leads each index; an index per search axis.
CREATE INDEX audit_log_by_tenant_time ON audit_log (tenant_id, recorded_at, global_position);
CREATE INDEX audit_log_by_tenant_type ON audit_log (tenant_id, event_type, recorded_at);
CREATE INDEX audit_log_by_tenant_actor ON audit_log (tenant_id, actor, recorded_at);
CREATE INDEX audit_log_by_correlation ON audit_log (correlation_id);

-- Down Migration
DROP TABLE IF EXISTS audit_log;
