import type { Lifecycle } from "./lifecycle.ts";

/**
 * Who is online, counted in connections across all instances (several tabs = one user online).
 * Connections of an instance that dies expire after its heartbeats stop.
 */
export interface PresenceStore extends Lifecycle {
  /** Registers a connection; true when the user was offline before. */
  connected(userId: string, connId: string): Promise<boolean>;
  /** Removes a connection; true when it was the user's last one. */
  disconnected(userId: string, connId: string): Promise<boolean>;
  online(userIds: readonly string[]): Promise<Set<string>>;
  /** Called with users whose connections all expired (their instance died). */
  onExpired(handler: (userId: string, lastSeen: number) => void): void;
}
