-- Up Migration
-- Reconciliation runs and their exceptions, folded from the reconciliation-* streams. Matched
-- lines stay in the event store (their audit trail); only counts and exceptions are rows here.
CREATE TABLE reconciliation_runs (
  run_id               text        PRIMARY KEY,
  tenant_id            text        NOT NULL,
  file_name            text        NOT NULL,
  file_sha256          text        NOT NULL,
  format               text        NOT NULL,
  line_count           bigint      NOT NULL,
  status               text        NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED')),
  period_start         timestamptz,
  period_end           timestamptz,
  -- Lines (and ledger payments) per outcome, e.g. {"matched": 9950, "duplicate": 3, ...}.
  counts               jsonb       NOT NULL,
  open_exception_count bigint      NOT NULL,
  batch_count          integer     NOT NULL,
  started_at           timestamptz NOT NULL,
  completed_at         timestamptz,
  updated_at           timestamptz NOT NULL,
  last_stream_revision bigint      NOT NULL,
  last_position        bigint      NOT NULL
);

CREATE INDEX reconciliation_runs_by_tenant_started
  ON reconciliation_runs (tenant_id, started_at, run_id);
CREATE INDEX reconciliation_runs_by_started ON reconciliation_runs (started_at, run_id);

CREATE TABLE reconciliation_exceptions (
  run_id          text        NOT NULL,
  exception_id    text        NOT NULL,
  tenant_id       text        NOT NULL,
  outcome         text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('OPEN', 'RESOLVED')),
  line_number     bigint,
  line_id         text,
  payment_id      text,
  reason          text        NOT NULL,
  -- The report line, the ledger figures and the proposed command, as recorded on the run.
  evidence        jsonb       NOT NULL,
  resolution      text,
  resolution_note text,
  resolved_by     text,
  resolved_at     timestamptz,
  -- The payment command applied when the provider's figure was accepted.
  compensation    jsonb,
  raised_at       timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (run_id, exception_id)
);

CREATE INDEX reconciliation_exceptions_by_run
  ON reconciliation_exceptions (run_id, status, line_number, exception_id);
CREATE INDEX reconciliation_exceptions_open_by_payment
  ON reconciliation_exceptions (payment_id) WHERE status = 'OPEN' AND payment_id IS NOT NULL;

-- Matching looks payments up by the provider's id alone; the read side's index leads with the
-- provider name, which a report line does not always give.
CREATE INDEX reconciliation_payments_by_provider_payment_id
  ON payments (provider_payment_id) WHERE provider_payment_id IS NOT NULL;

-- Down Migration
DROP INDEX IF EXISTS reconciliation_payments_by_provider_payment_id;
DROP TABLE IF EXISTS reconciliation_exceptions;
DROP TABLE IF EXISTS reconciliation_runs;
