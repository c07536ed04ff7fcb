-- Up Migration
-- One row per ledger event, as stored: the searchable copy of the event store for auditors.
CREATE TABLE audit_log (
  event_id        uuid        PRIMARY KEY,
  global_position bigint      NOT NULL UNIQUE,
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
  UNIQUE (stream, stream_revision)
);

CREATE INDEX audit_log_by_tenant_time ON audit_log (tenant_id, recorded_at, global_position);
CREATE INDEX audit_log_by_type_time ON audit_log (event_type, recorded_at);
CREATE INDEX audit_log_by_actor_time ON audit_log (actor, recorded_at);
CREATE INDEX audit_log_by_correlation ON audit_log (correlation_id);
CREATE INDEX audit_log_by_payment ON audit_log (payment_id, stream_revision)
  WHERE payment_id IS NOT NULL;
CREATE INDEX audit_log_by_time ON audit_log (recorded_at);

-- Down Migration
DROP TABLE IF EXISTS audit_log;
