import type { Notifier } from "./notifier.ts";

/**
 * Typing indicators. "on" expires by itself after `ttlMs` unless renewed, so a client that
 * vanishes never leaves a room saying someone is typing.
 */
export class TypingService {
  private timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private notifier: Notifier, private ttlMs: number) {}

  typing(room: string, userId: string, username: string, on: boolean): void {
    const key = `${room}\u0000${userId}`;
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    if (on) {
      this.timers.set(key, setTimeout(() => this.typing(room, userId, username, false), this.ttlMs));
      // Renewals within the TTL are not re-broadcast.
      if (timer) return;
    } else {
      this.timers.delete(key);
      if (!timer) return;
    }
    this.notifier.toRoom(room, { type: "typing", room, userId, username, on });
  }

  /** A sender stops typing the moment their message lands. */
  stopped(room: string, userId: string, username: string): void {
    if (this.timers.has(`${room}\u0000${userId}`)) this.typing(room, userId, username, false);
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
