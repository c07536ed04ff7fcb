-- Up Migration
-- One row per projection name and version: the $all position of the last event applied (NULL =
-- nothing yet), written in the same transaction as the read-model rows, as a compare-and-set.
CREATE TABLE projection_checkpoints (
  projection_name        text        NOT NULL,
  projection_version     integer     NOT NULL,
  position               bigint,
  state                  text        NOT NULL DEFAULT 'running'
                                     CHECK (state IN ('running', 'failed', 'paused')),
  paused_reason          text,
  failed_position        bigint,
  last_error             text,
  last_error_at          timestamptz,
  events_applied         bigint      NOT NULL DEFAULT 0,
  last_event_recorded_at timestamptz,
  owner_instance         text,
  owner_since            timestamptz,
  rebuilt_at             timestamptz,
  updated_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (projection_name, projection_version)
);

-- An event a projection could not apply: it stops that projection until an operator skips it
-- or retries it. Never deleted, so that nothing is dropped silently.
CREATE TABLE projection_poison_events (
  projection_name    text        NOT NULL,
  projection_version integer     NOT NULL,
  position           bigint      NOT NULL,
  event_id           uuid        NOT NULL,
  stream             text        NOT NULL,
  stream_revision    bigint      NOT NULL,
  event_type         text        NOT NULL,
  error              text        NOT NULL,
  attempts           integer     NOT NULL DEFAULT 1,
  status             text        NOT NULL DEFAULT 'open'
                                 CHECK (status IN ('open', 'retrying', 'skipped', 'resolved')),
  first_failed_at    timestamptz NOT NULL DEFAULT now(),
  last_failed_at     timestamptz NOT NULL DEFAULT now(),
  resolved_at        timestamptz,
  resolved_by        text,
  PRIMARY KEY (projection_name, projection_version, position)
);

CREATE INDEX projection_poison_events_open
  ON projection_poison_events (projection_name, status);

-- Down Migration
DROP TABLE IF EXISTS projection_poison_events;
DROP TABLE IF EXISTS projection_checkpoints;
