/** Migration 6: the metadata of uploaded files (the bytes are on disk under DATA_DIR/files). */
export const UPLOADS_SCHEMA = `
CREATE TABLE uploads (
  id TEXT PRIMARY KEY, owner TEXT NOT NULL, room_id TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL,
  type TEXT NOT NULL, image TEXT, preview_size INTEGER, created_at INTEGER NOT NULL,
  claim TEXT, message_id TEXT
);
CREATE INDEX uploads_owner ON uploads (owner);
CREATE INDEX uploads_message ON uploads (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX uploads_unclaimed ON uploads (created_at) WHERE claim IS NULL;
`;
