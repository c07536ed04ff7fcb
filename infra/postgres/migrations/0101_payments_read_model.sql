-- Up Migration
-- Current state of every payment, folded by the domain's own evolve. Amounts are integer minor
-- units. captures/refunds/disputes hold the per-id details the fold needs to stay idempotent.
CREATE TABLE payments (
  payment_id                text        PRIMARY KEY,
  tenant_id                 text        NOT NULL,
  status                    text        NOT NULL,
  currency                  text        NOT NULL,
  amount                    bigint      NOT NULL,
  authorized_amount         bigint      NOT NULL,
  captured_amount           bigint      NOT NULL,
  capturable_amount         bigint      NOT NULL,
  refund_pending_amount     bigint      NOT NULL,
  refund_succeeded_amount   bigint      NOT NULL,
  refunded_amount           bigint      NOT NULL,
  refundable_amount         bigint      NOT NULL,
  dispute_open_amount       bigint      NOT NULL,
  dispute_lost_amount       bigint      NOT NULL,
  disputed_amount           bigint      NOT NULL,
  settled_amount            bigint      NOT NULL,
  fee_amount                bigint      NOT NULL,
  net_settled_amount        bigint      NOT NULL,
  settlement_id             text,
  provider                  text,
  provider_payment_id       text,
  reference                 text,
  capture_mode              text        NOT NULL,
  authorization_id          text,
  authorization_expires_at  timestamptz,
  capture_expires_at        timestamptz,
  authorized_at             timestamptz,
  settled_at                timestamptz,
  closed_at                 timestamptz,
  close_reason              text,
  captures                  jsonb       NOT NULL,
  refunds                   jsonb       NOT NULL,
  disputes                  jsonb       NOT NULL,
  created_at                timestamptz NOT NULL,
  updated_at                timestamptz NOT NULL,
  last_stream_revision      bigint      NOT NULL,
  last_position             bigint      NOT NULL
);

CREATE INDEX payments_by_tenant_created ON payments (tenant_id, created_at, payment_id);
CREATE INDEX payments_by_tenant_status ON payments (tenant_id, status, created_at, payment_id);
CREATE INDEX payments_by_provider_reference ON payments (provider, provider_payment_id)
  WHERE provider_payment_id IS NOT NULL;
CREATE INDEX payments_by_tenant_reference ON payments (tenant_id, reference)
  WHERE reference IS NOT NULL;

-- Down Migration
DROP TABLE IF EXISTS payments;
