import type { AccountStore, PresenceStore, SocialStore } from "../ports/index.ts";
import type { Notifier } from "./notifier.ts";

/** Online/offline with last seen, told to the user's friends when it changes. */
export class PresenceService {
  constructor(
    private presence: PresenceStore,
    private accounts: AccountStore,
    private social: SocialStore,
    private notifier: Notifier,
  ) {
    presence.onExpired((userId, lastSeen) => void this.wentOffline(userId, lastSeen));
  }

  async connected(userId: string, connId: string): Promise<void> {
    if (await this.presence.connected(userId, connId)) {
      await this.tellFriends(userId, { type: "presence", userId, status: "online", lastSeen: null });
    }
  }

  async disconnected(userId: string, connId: string): Promise<void> {
    if (await this.presence.disconnected(userId, connId)) await this.wentOffline(userId, Date.now());
  }

  private async wentOffline(userId: string, lastSeen: number) {
    await this.accounts.setLastSeen(userId, lastSeen);
    await this.tellFriends(userId, { type: "presence", userId, status: "offline", lastSeen });
  }

  private async tellFriends(userId: string, frame: Parameters<Notifier["toUser"]>[1]) {
    // The user's own other tabs learn it too, so every client renders one truth.
    for (const id of [userId, ...(await this.social.friendIds(userId))]) this.notifier.toUser(id, frame);
  }
}
