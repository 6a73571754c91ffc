-- Storefleet platform schema (SQLite). Times are Unix milliseconds (UTC); ids are UUID text.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('user', 'admin')),
    store_quota   INTEGER NOT NULL CHECK (store_quota >= 0),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE stores (
    id               TEXT PRIMARY KEY,
    owner_id         TEXT NOT NULL REFERENCES users (id),
    name             TEXT NOT NULL,
    engine           TEXT NOT NULL,
    domain           TEXT NOT NULL,
    namespace        TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL,
    status_reason    TEXT NOT NULL,
    step             TEXT,
    steps_done       INTEGER NOT NULL DEFAULT 0,
    steps_total      INTEGER NOT NULL,
    desired          TEXT NOT NULL CHECK (desired IN ('present', 'absent')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    lease_owner      TEXT,
    lease_expires_at INTEGER,
    url              TEXT,
    admin_url        TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    ready_at         INTEGER,
    work_started_at  INTEGER,
    deleted_at       INTEGER
);

-- Uniqueness among live stores only: a deleted store's name and domain are free again.
CREATE UNIQUE INDEX stores_live_domain ON stores (domain) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX stores_live_owner_name ON stores (owner_id, name) WHERE deleted_at IS NULL;
CREATE INDEX stores_due ON stores (next_attempt_at) WHERE deleted_at IS NULL;
CREATE INDEX stores_owner ON stores (owner_id, created_at);

CREATE TABLE store_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id    TEXT NOT NULL REFERENCES stores (id),
    at          INTEGER NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('info', 'warning', 'error')),
    step        TEXT,
    message     TEXT NOT NULL,
    duration_ms INTEGER
);
CREATE INDEX store_events_store ON store_events (store_id, id);

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor_id    TEXT,
    actor_email TEXT,
    action      TEXT NOT NULL,
    target_type TEXT,
    target_id   TEXT,
    ip          TEXT,
    details     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);
CREATE INDEX audit_events_action ON audit_events (action, id);

CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL REFERENCES users (id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    store_id     TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
