import type { Database } from "bun:sqlite";
import type { Session, User } from "../../domain/model.ts";
import type { AccountStore } from "../../ports/index.ts";

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  created_at: number;
  last_seen: number | null;
}
const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  lastSeen: r.last_seen,
});

export class SqliteAccountStore implements AccountStore {
  private q;
  constructor(private db: Database) {
    this.q = {
      insertUser: db.query<unknown, [string, string, string, number]>(
        "INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING",
      ),
      byId: db.query<UserRow, [string]>("SELECT * FROM users WHERE id = ?"),
      byName: db.query<UserRow, [string]>("SELECT * FROM users WHERE username = ?"),
      search: db.query<UserRow, [string, number]>(
        "SELECT * FROM users WHERE username >= ?1 AND username < ?1 || char(1114111) ORDER BY username LIMIT ?2",
      ),
      lastSeen: db.query<unknown, [number, string]>("UPDATE users SET last_seen = ? WHERE id = ?"),
      insertSession: db.query<unknown, [string, string, number]>(
        "INSERT OR IGNORE INTO sessions (id, user_id, created_at) VALUES (?, ?, ?)",
      ),
      session: db.query<{ id: string; user_id: string; created_at: number; revoked_at: number | null }, [string]>(
        "SELECT * FROM sessions WHERE id = ?",
      ),
      revoke: db.query<unknown, [number, string]>("UPDATE sessions SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?"),
      insertToken: db.query<unknown, [string, string, number]>(
        "INSERT OR IGNORE INTO refresh_tokens (jti, session_id, expires_at) VALUES (?, ?, ?)",
      ),
      useToken: db.query<{ jti: string }, [number, string]>(
        "UPDATE refresh_tokens SET used_at = ? WHERE jti = ? AND used_at IS NULL RETURNING jti",
      ),
      tokenExists: db.query<{ jti: string }, [string]>("SELECT jti FROM refresh_tokens WHERE jti = ?"),
    };
  }

  async createUser(u: User) {
    const res = this.q.insertUser.run(u.id, u.username, u.passwordHash, u.createdAt);
    return res.changes === 1 ? ("created" as const) : ("taken" as const);
  }
  async userById(id: string) {
    const r = this.q.byId.get(id);
    return r ? toUser(r) : null;
  }
  async userByName(username: string) {
    const r = this.q.byName.get(username);
    return r ? toUser(r) : null;
  }
  async usersByIds(ids: readonly string[]) {
    if (ids.length === 0) return [];
    const rows = this.db
      .query<UserRow, string[]>(`SELECT * FROM users WHERE id IN (${ids.map(() => "?").join(",")})`)
      .all(...ids);
    return rows.map(toUser);
  }
  async searchUsers(prefix: string, limit: number) {
    return this.q.search.all(prefix, limit).map(toUser);
  }
  async setLastSeen(userId: string, at: number) {
    this.q.lastSeen.run(at, userId);
  }
  async createSession(s: Session) {
    this.q.insertSession.run(s.id, s.userId, s.createdAt);
  }
  async session(id: string) {
    const r = this.q.session.get(id);
    return r ? { id: r.id, userId: r.user_id, createdAt: r.created_at, revokedAt: r.revoked_at } : null;
  }
  async revokeSession(id: string, at: number) {
    this.q.revoke.run(at, id);
  }
  async addRefreshToken(jti: string, sessionId: string, expiresAt: number) {
    this.q.insertToken.run(jti, sessionId, expiresAt);
  }
  async useRefreshToken(jti: string, at: number) {
    if (this.q.useToken.get(at, jti)) return "ok" as const;
    return this.q.tokenExists.get(jti) ? ("reused" as const) : ("unknown" as const);
  }
}
