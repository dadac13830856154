/**
 * "Your own message counts as read" on the Kafka path, where messages reach MongoDB later: moves
 * the sender's read cursor at accept time. Appends of one (room, sender) coalesce into one write at
 * a time. An append waits for the write only briefly: when the store is slow or down it goes on,
 * and the persistence worker moves the cursor anyway once the message is stored.
 */
type AdvanceRead = (room: string, user: string, seq: number) => Promise<unknown>;

interface Slot {
  room: string;
  user: string;
  target: number;
  waiters: { seq: number; resolve: () => void }[];
}

export class SenderCursors {
  private slots = new Map<string, Slot>();
  /** After a failed write, appends stop waiting for a while. */
  private failingUntil = 0;

  constructor(private advanceRead: AdvanceRead, private maxWaitMs = 500) {}

  advance(room: string, user: string, seq: number): Promise<void> {
    const key = `${room}\u0000${user}`;
    let slot = this.slots.get(key);
    const idle = !slot;
    if (!slot) {
      slot = { room, user, target: 0, waiters: [] };
      this.slots.set(key, slot);
    }
    slot.target = Math.max(slot.target, seq);
    const written = new Promise<void>((resolve) => slot.waiters.push({ seq, resolve }));
    if (idle) void this.pump(key, slot);
    if (Date.now() < this.failingUntil) return Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([written, new Promise<void>((r) => (timer = setTimeout(r, this.maxWaitMs)))]).finally(() => clearTimeout(timer));
  }

  private async pump(key: string, slot: Slot) {
    while (slot.waiters.length > 0) {
      const target = slot.target;
      const covered = slot.waiters.filter((w) => w.seq <= target);
      slot.waiters = slot.waiters.filter((w) => w.seq > target);
      try {
        await this.advanceRead(slot.room, slot.user, target);
      } catch {
        this.failingUntil = Date.now() + 5000;
      }
      for (const w of covered) w.resolve();
    }
    this.slots.delete(key);
  }
}
