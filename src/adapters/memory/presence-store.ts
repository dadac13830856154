import type { PresenceStore } from "../../ports/index.ts";

/** Single-instance presence: connection sets in memory. Nothing expires because nothing else can die. */
export class MemoryPresenceStore implements PresenceStore {
  private conns = new Map<string, Set<string>>();

  async connected(userId: string, connId: string) {
    let set = this.conns.get(userId);
    const wasOffline = !set || set.size === 0;
    if (!set) this.conns.set(userId, (set = new Set()));
    set.add(connId);
    return wasOffline;
  }
  async disconnected(userId: string, connId: string) {
    const set = this.conns.get(userId);
    if (!set || !set.delete(connId)) return false;
    if (set.size > 0) return false;
    this.conns.delete(userId);
    return true;
  }
  async online(userIds: readonly string[]) {
    return new Set(userIds.filter((id) => (this.conns.get(id)?.size ?? 0) > 0));
  }
  onExpired(): void {}
}
