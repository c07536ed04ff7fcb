-- Up Migration
CREATE TABLE IF NOT EXISTS service_instances (
  instance_id  text PRIMARY KEY,
  started_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE IF EXISTS service_instances;
