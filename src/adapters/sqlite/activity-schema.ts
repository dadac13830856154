/**
 * The activity log lives in its own database file (activity.db), written by its own worker thread:
 * it never competes with message commits for chat.db's write lock, and retention deletes stay away
 * from the hot file.
 */
export const ACTIVITY_SCHEMA = `
CREATE TABLE IF NOT EXISTS activity (
  id TEXT PRIMARY KEY, type TEXT NOT NULL, time INTEGER NOT NULL, user_id TEXT, room_id TEXT,
  instance TEXT NOT NULL, details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS activity_type_time ON activity (type, time);
CREATE INDEX IF NOT EXISTS activity_time ON activity (time);
`;
