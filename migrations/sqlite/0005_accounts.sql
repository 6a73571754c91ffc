-- Account management: suspension (a suspended user cannot sign in; their stores keep
-- running), when a user last signed in, and what each session was started from, so its
-- owner can tell their sessions apart and end the ones they do not recognise.
ALTER TABLE users ADD COLUMN suspended_at INTEGER;
ALTER TABLE users ADD COLUMN last_login_at INTEGER;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
