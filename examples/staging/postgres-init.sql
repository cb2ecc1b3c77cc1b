-- Demo schema for the staging stack: opswatch's custom query counts audit_logs rows.
CREATE TABLE IF NOT EXISTS audit_logs (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  message text NOT NULL
);
INSERT INTO audit_logs (message) SELECT 'demo row ' || g FROM generate_series(1, 100) AS g;
