-- Credential rotations asked for and not yet written into the store's Secret: which kinds
-- (e.g. "admin_password,salts"), never values. The engine removes the row once the new
-- values are in the Secret.
CREATE TABLE store_rotations (
    store_id     TEXT PRIMARY KEY REFERENCES stores (id),
    kinds        TEXT NOT NULL,
    requested_at BIGINT NOT NULL
);
