import type { Database } from "bun:sqlite";
import type { Upload, UploadRegistry } from "../../ports/index.ts";
import { attachmentSchema } from "../../protocol/index.ts";

interface UploadRow {
  id: string;
  owner: string;
  room_id: string;
  name: string;
  size: number;
  type: string;
  image: string | null;
  preview_size: number | null;
  created_at: number;
  claim: string | null;
  message_id: string | null;
}

const ROLLBACK = new Error("claim rolled back");
const imageSchema = attachmentSchema.shape.image.unwrap();

const toUpload = (r: UploadRow): Upload => ({
  id: r.id,
  owner: r.owner,
  room: r.room_id,
  name: r.name,
  size: r.size,
  type: r.type,
  ...(r.image ? { image: imageSchema.parse(JSON.parse(r.image)) } : {}),
  previewSize: r.preview_size,
  createdAt: r.created_at,
  claimed: r.claim !== null,
  messageId: r.message_id,
});

/** Upload metadata in the `uploads` table (migration 6), written on the calling thread: a few small writes per upload. */
export class SqliteUploadRegistry implements UploadRegistry {
  private q;

  constructor(private db: Database) {
    this.q = {
      add: db.query<unknown, [string, string, string, string, number, string, string | null, number | null, number]>(
        "INSERT INTO uploads (id, owner, room_id, name, size, type, image, preview_size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      get: db.query<UploadRow, [string]>("SELECT * FROM uploads WHERE id = ?"),
      usage: db.query<{ total: number | null }, [string]>("SELECT SUM(size + COALESCE(preview_size, 0)) AS total FROM uploads WHERE owner = ?"),
      // Under the write lock only one claim can win. A sent upload keeps the claim of its send.
      claim: db.query<{ id: string }, [string, string, string]>("UPDATE uploads SET claim = ? WHERE id = ? AND (claim IS NULL OR claim = ?) RETURNING id"),
      bind: db.query<unknown, [string, string]>("UPDATE uploads SET message_id = ? WHERE id = ?"),
      byMessage: db.query<UploadRow, [string]>("SELECT * FROM uploads WHERE message_id = ?"),
      expired: db.query<UploadRow, [number, number]>("SELECT * FROM uploads WHERE claim IS NULL AND created_at < ? ORDER BY created_at LIMIT ?"),
      remove: db.query<unknown, [string]>("DELETE FROM uploads WHERE id = ?"),
    };
  }

  async add(u: Upload): Promise<void> {
    this.q.add.run(u.id, u.owner, u.room, u.name, u.size, u.type, u.image ? JSON.stringify(u.image) : null, u.previewSize, u.createdAt);
  }

  async get(id: string): Promise<Upload | null> {
    const row = this.q.get.get(id);
    return row ? toUpload(row) : null;
  }

  async usage(owner: string): Promise<number> {
    return this.q.usage.get(owner)?.total ?? 0;
  }

  async claim(ids: readonly string[], claim: string): Promise<Set<string>> {
    const held = new Set<string>();
    try {
      this.db.transaction(() => {
        for (const id of ids) if (this.q.claim.get(claim, id, claim)) held.add(id);
        if (held.size !== ids.length) throw ROLLBACK;
      })();
    } catch (err) {
      if (err !== ROLLBACK) throw err;
    }
    return held;
  }

  async bind(ids: readonly string[], messageId: string): Promise<void> {
    this.db.transaction(() => {
      for (const id of ids) this.q.bind.run(messageId, id);
    })();
  }

  async byMessage(messageId: string): Promise<Upload[]> {
    return this.q.byMessage.all(messageId).map(toUpload);
  }

  async expired(before: number, limit: number): Promise<Upload[]> {
    return this.q.expired.all(before, limit).map(toUpload);
  }

  async remove(id: string): Promise<void> {
    this.q.remove.run(id);
  }
}
