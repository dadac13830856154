/**
 * Accounts for the idle-memory scenario, one per socket, written before the server starts through
 * the project's own storage adapter and services (the same rows registration writes: user, public
 * room membership, session) with access tokens signed by the project's TokenService under the
 * secret the server is then started with. Registering 5,000 accounts over HTTP would cost 5,000
 * argon2 hashes on the server's one core (minutes); all accounts here share one hash, made once.
 * Nothing in the product changes: the server reads the rows as if users had registered.
 */
import { createSqliteStorage } from "../src/adapters/sqlite/storage.ts";
import { TokenService } from "../src/domain/auth/tokens.ts";
import { newId } from "../src/domain/ids.ts";
import type { Notifier } from "../src/domain/notifier.ts";
import { RoomService } from "../src/domain/room-service.ts";
import { MemoryPresenceStore } from "../src/adapters/memory/presence-store.ts";

export const SEED_JWT_SECRET = "benchmark-seed-secret-benchmark-seed-secret";
/** The server's defaults for issuer and audience (src/config.ts). */
const ISSUER = "chat-platform";
const AUDIENCE = "chat-platform";

const nobody: Notifier = { toRoom() {}, toUser() {}, membership() {}, sessionRevoked() {} };

/** Writes `n` accounts into `dataDir` and returns one access token per account. */
export async function seedAccounts(dataDir: string, n: number, prefix: string): Promise<string[]> {
  const storage = createSqliteStorage(dataDir, { synchronous: "NORMAL", busyTimeoutMs: 5_000 });
  try {
    const rooms = new RoomService(storage.rooms, storage.reader, storage.changeReader, storage.accounts, storage.social, nobody, new MemoryPresenceStore());
    await rooms.ensurePublicRoom();
    const tokens = new TokenService({
      secret: new TextEncoder().encode(SEED_JWT_SECRET),
      issuer: ISSUER,
      audience: AUDIENCE,
      accessTtlSec: 3600,
      refreshTtlSec: 3600,
    });
    const passwordHash = await Bun.password.hash("benchmark-password", { algorithm: "argon2id" });
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const user = { id: newId(), username: `${prefix}_${i}`, passwordHash, createdAt: Date.now(), lastSeen: null };
      if ((await storage.accounts.createUser(user)) !== "created") throw new Error(`seed: ${user.username} exists`);
      await rooms.joinPublic(user.id);
      const sessionId = newId();
      await storage.accounts.createSession({ id: sessionId, userId: user.id, createdAt: Date.now(), revokedAt: null });
      out.push((await tokens.sign("access", user.id, sessionId, newId())).token);
    }
    return out;
  } finally {
    await storage.lifecycle.close?.();
  }
}
