-- When the store's current lease was taken, for the age of the oldest lease (a stuck worker).
ALTER TABLE stores ADD COLUMN leased_at BIGINT;
