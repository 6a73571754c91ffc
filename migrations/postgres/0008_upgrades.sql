-- Upgrades and rollbacks of a store's release, and fleet-wide rolling upgrades.
-- The Helm revision the engine last applied, and the fingerprint (chart digest and values)
-- it was applied with: "rollback:N" after a rollback to revision N.
ALTER TABLE stores ADD COLUMN revision BIGINT;
ALTER TABLE stores ADD COLUMN applied_fingerprint TEXT;
-- What an Upgrading store is brought to: "latest" or "revision:N"; the revision to return
-- to when that fails; and how the last upgrade or rollback ended.
ALTER TABLE stores ADD COLUMN upgrade_target TEXT;
ALTER TABLE stores ADD COLUMN upgrade_from_revision BIGINT;
ALTER TABLE stores ADD COLUMN last_upgrade_result TEXT;
ALTER TABLE stores ADD COLUMN last_upgrade_at BIGINT;

CREATE TABLE fleet_rollouts (
    id              TEXT PRIMARY KEY,
    engine          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('running', 'paused', 'halted', 'cancelled', 'completed')),
    max_unavailable BIGINT NOT NULL,
    max_failures    BIGINT NOT NULL,
    halt_reason     TEXT,
    created_by      TEXT REFERENCES users (id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    finished_at     BIGINT
);
-- At most one rollout per engine is running or paused.
CREATE UNIQUE INDEX fleet_rollouts_active ON fleet_rollouts (engine) WHERE state IN ('running', 'paused');

CREATE TABLE fleet_rollout_stores (
    rollout_id  TEXT NOT NULL REFERENCES fleet_rollouts (id),
    store_id    TEXT NOT NULL REFERENCES stores (id),
    position    BIGINT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'upgrading', 'succeeded', 'failed', 'skipped')),
    reason      TEXT,
    started_at  BIGINT,
    finished_at BIGINT,
    PRIMARY KEY (rollout_id, store_id)
);
CREATE INDEX fleet_rollout_stores_state ON fleet_rollout_stores (rollout_id, state, position);
