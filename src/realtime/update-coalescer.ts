import type { ChatMessage, ServerFrameOf } from "../protocol/index.ts";

type Updated = ServerFrameOf<"updated">;

/** How long changes to one room gather before they go out as one `updated` frame. */
export const COALESCE_MS = 50;

interface Pending {
  room: string;
  fromSeq: number;
  toSeq: number;
  /** Latest state per message, in the order of their last change. */
  messages: Map<string, ChatMessage>;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Merges `updated` frames of a room over a short tick, so a reaction storm reaches each socket as
 * a few frames carrying the latest state instead of one per event. Only consecutive events merge
 * (the next frame must start right after the held range), so a merged frame never spans a new
 * message; the caller flushes a room before delivering anything else of it, so nothing overtakes
 * a held change and the wire never shows a gap.
 */
export class UpdateCoalescer {
  private pending = new Map<string, Pending>();

  constructor(
    private publish: (topic: string, frame: string) => void,
    private tickMs = COALESCE_MS,
  ) {}

  add(topic: string, frame: Updated) {
    let p = this.pending.get(topic);
    if (p && frame.fromSeq !== p.toSeq + 1) {
      this.flush(topic);
      p = undefined;
    }
    if (!p) {
      p = { room: frame.room, fromSeq: frame.fromSeq, toSeq: frame.toSeq, messages: new Map(), timer: setTimeout(() => this.flush(topic), this.tickMs) };
      this.pending.set(topic, p);
    }
    p.toSeq = frame.toSeq;
    for (const m of frame.messages) {
      const held = p.messages.get(m.id);
      if (held && (held.rev ?? held.seq) > (m.rev ?? m.seq)) continue;
      p.messages.delete(m.id);
      p.messages.set(m.id, m);
    }
  }

  /** Sends what the room holds now, if anything. */
  flush(topic: string) {
    const p = this.pending.get(topic);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(topic);
    const frame: Updated = { type: "updated", room: p.room, fromSeq: p.fromSeq, toSeq: p.toSeq, messages: [...p.messages.values()] };
    this.publish(topic, JSON.stringify(frame));
  }
}
