-- Up Migration
-- Double-entry journal: every entry's lines sum to zero per currency (debits = credits), so the
-- whole journal does too. Lines carry occurred_at so balances at an instant need no join.
CREATE TABLE journal_entries (
  entry_id        text        PRIMARY KEY,
  event_id        uuid        NOT NULL,
  global_position bigint      NOT NULL,
  stream          text        NOT NULL,
  stream_revision bigint      NOT NULL,
  event_type      text        NOT NULL,
  tenant_id       text        NOT NULL,
  payment_id      text        NOT NULL,
  description     text        NOT NULL,
  occurred_at     timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL
);

CREATE INDEX journal_entries_by_payment ON journal_entries (payment_id, global_position);
CREATE INDEX journal_entries_by_tenant_time ON journal_entries (tenant_id, occurred_at, entry_id);

CREATE TABLE journal_lines (
  entry_id    text        NOT NULL,
  line_number integer     NOT NULL,
  tenant_id   text        NOT NULL,
  account     text        NOT NULL,
  currency    text        NOT NULL,
  debit       bigint      NOT NULL CHECK (debit >= 0),
  credit      bigint      NOT NULL CHECK (credit >= 0),
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (entry_id, line_number),
  CHECK (debit = 0 OR credit = 0)
);

CREATE INDEX journal_lines_by_tenant_currency_time
  ON journal_lines (tenant_id, currency, occurred_at);

CREATE TABLE account_balances (
  tenant_id  text        NOT NULL,
  account    text        NOT NULL,
  currency   text        NOT NULL,
  debits     bigint      NOT NULL,
  credits    bigint      NOT NULL,
  balance    bigint      NOT NULL,
  line_count bigint      NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, account, currency),
  CHECK (balance = debits - credits)
);

CREATE INDEX account_balances_by_currency ON account_balances (currency);

-- Down Migration
DROP TABLE IF EXISTS account_balances;
DROP TABLE IF EXISTS journal_lines;
DROP TABLE IF EXISTS journal_entries;
