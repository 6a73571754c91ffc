-- Server-side sessions: every session token names its row, so signing out, a password
-- change or an administrator can end it at once. No secret is kept here: the token is
-- signed with the server's key, and its id alone proves nothing.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One row that /readyz rewrites to prove the database still takes writes: a full disk or
-- a read-only file still answers SELECT 1.
CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at BIGINT NOT NULL
);
INSERT INTO write_probe (id, at) VALUES (1, 0);
