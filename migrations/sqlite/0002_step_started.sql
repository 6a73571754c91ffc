-- When the store's current step began, so each step's event can say how long it took.
ALTER TABLE stores ADD COLUMN step_started_at INTEGER;
