-- Up Migration
CREATE TABLE refunds (
  refund_id            text        PRIMARY KEY,
  payment_id           text        NOT NULL,
  tenant_id            text        NOT NULL,
  status               text        NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  amount               bigint      NOT NULL,
  currency             text        NOT NULL,
  reason               text,
  failure_reason       text,
  requested_at         timestamptz NOT NULL,
  resolved_at          timestamptz,
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  last_stream_revision bigint      NOT NULL,
  last_position        bigint      NOT NULL
);

CREATE INDEX refunds_by_payment ON refunds (payment_id, created_at, refund_id);
CREATE INDEX refunds_by_tenant_created ON refunds (tenant_id, created_at, refund_id);
CREATE INDEX refunds_by_tenant_status ON refunds (tenant_id, status, created_at, refund_id);

-- Down Migration
DROP TABLE IF EXISTS refunds;
