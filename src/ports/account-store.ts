import type { Session, User } from "../domain/model.ts";
import type { Lifecycle } from "./lifecycle.ts";

/** Users, sessions (refresh-token families) and refresh tokens. Every write is idempotent. */
export interface AccountStore extends Lifecycle {
  /** Atomically creates the user unless the username is taken (case-sensitive, usernames are lowercase). */
  createUser(user: User): Promise<"created" | "taken">;
  userById(id: string): Promise<User | null>;
  userByName(username: string): Promise<User | null>;
  usersByIds(ids: readonly string[]): Promise<User[]>;
  /** Usernames starting with `prefix`, ordered by username. */
  searchUsers(prefix: string, limit: number): Promise<User[]>;
  setLastSeen(userId: string, at: number): Promise<void>;

  createSession(session: Session): Promise<void>;
  session(id: string): Promise<Session | null>;
  revokeSession(id: string, at: number): Promise<void>;

  addRefreshToken(jti: string, sessionId: string, expiresAt: number): Promise<void>;
  /**
   * Marks the token used, atomically: exactly one caller gets "ok" for a given jti.
   * "reused" means it had been used already (a stolen or replayed token).
   */
  useRefreshToken(jti: string, at: number): Promise<"ok" | "reused" | "unknown">;
}
