-- Up Migration
-- Provider callbacks and their processing state, folded from the webhook-* inbox streams.
CREATE TABLE webhook_inbox (
  provider             text        NOT NULL,
  provider_event_id    text        NOT NULL,
  tenant_id            text        NOT NULL,
  status               text        NOT NULL
                       CHECK (status IN ('received', 'processed', 'failed', 'parked', 'resolved')),
  event_type           text        NOT NULL,
  payload              text        NOT NULL,
  payment_id           text,
  attempts             integer     NOT NULL,
  last_error           text,
  next_attempt_at      timestamptz,
  outcome              text,
  resolution           text,
  resolution_note      text,
  resolved_by          text,
  replay_requested_by  text,
  replay_requested_at  timestamptz,
  received_at          timestamptz NOT NULL,
  processed_at         timestamptz,
  parked_at            timestamptz,
  resolved_at          timestamptz,
  updated_at           timestamptz NOT NULL,
  last_stream_revision bigint      NOT NULL,
  last_position        bigint      NOT NULL,
  PRIMARY KEY (provider, provider_event_id)
);

CREATE INDEX webhook_inbox_by_tenant_received
  ON webhook_inbox (tenant_id, received_at, provider, provider_event_id);
CREATE INDEX webhook_inbox_by_status ON webhook_inbox (status, next_attempt_at);
CREATE INDEX webhook_inbox_by_payment ON webhook_inbox (payment_id) WHERE payment_id IS NOT NULL;

-- Down Migration
DROP TABLE IF EXISTS webhook_inbox;
