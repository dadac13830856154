import type { MessageLog, MessageReader, RoomStore } from "../ports/index.ts";
import { LIMITS } from "../protocol/index.ts";
import { fail } from "./errors.ts";
import { newId } from "./ids.ts";
import type { AppendResult, ChatMessage } from "./model.ts";
import type { Notifier } from "./notifier.ts";
import { NO_ACTIVITY, type ActivityRecorder } from "./activity.ts";

export interface Sender {
  userId: string;
  username: string;
}

/** Called after a new (non-duplicate) message is durable and delivered, e.g. to answer `/ai`. */
export type MessageListener = (message: ChatMessage) => void;

/**
 * Sending and reading messages. Membership is checked by the caller (the gateway caches it per
 * socket); everything here assumes the sender may post in the room.
 */
export class ChatService {
  private listeners: MessageListener[] = [];

  constructor(
    private log: MessageLog,
    private reader: MessageReader,
    private rooms: RoomStore,
    private notifier: Notifier,
    private activity: ActivityRecorder = NO_ACTIVITY,
  ) {}

  onMessage(listener: MessageListener): void {
    this.listeners.push(listener);
  }

  /**
   * Resolves once the message is durable, then delivers it to the room. A retry with the same
   * clientId resolves with the original and is not delivered again.
   */
  async send(from: Sender, room: string, body: string, clientId: string): Promise<AppendResult> {
    if (body.trim().length === 0) fail("bad_request", "message body is empty");
    const result = await this.log.append({
      id: newId(),
      room,
      from: from.userId,
      fromName: from.username,
      body,
      clientId,
      createdAt: Date.now(),
    });
    if (!result.duplicate) this.deliver(result.message);
    return result;
  }

  /** Stores a message authored by the server itself (the AI bot) and delivers it. */
  async post(message: Omit<Parameters<MessageLog["append"]>[0], "id" | "createdAt">): Promise<AppendResult> {
    const result = await this.log.append({ ...message, id: newId(), createdAt: Date.now() });
    if (!result.duplicate) this.deliver(result.message);
    return result;
  }

  async history(room: string, before: number | undefined, limit: number): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
    const page = await this.reader.before(room, before, Math.min(limit, LIMITS.historyPageMax) + 1);
    const hasMore = page.length > limit;
    return { messages: page.slice(0, limit), hasMore };
  }

  /** The message at `seq` with up to limit/2 newer and the rest older ones; newest first like history. */
  async around(room: string, seq: number, limit: number): Promise<{ messages: ChatMessage[]; hasMore: boolean; hasNewer: boolean }> {
    const newerCount = Math.floor(limit / 2);
    const olderCount = limit - newerCount;
    const [older, newer] = await Promise.all([
      this.reader.before(room, seq + 1, olderCount + 1),
      newerCount > 0 ? this.reader.after(room, seq, newerCount + 1) : Promise.resolve([]),
    ]);
    return {
      messages: [...newer.slice(0, newerCount).reverse(), ...older.slice(0, olderCount)],
      hasMore: older.length > olderCount,
      hasNewer: newer.length > newerCount,
    };
  }

  async resume(room: string, afterSeq: number, limit: number): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
    const page = await this.reader.after(room, afterSeq, limit + 1);
    const hasMore = page.length > limit;
    return { messages: page.slice(0, limit), hasMore };
  }

  /** Moves the user's read cursor, never past the room's newest message (a seq from the future is clamped). */
  async markRead(room: string, userId: string, seq: number): Promise<number> {
    const last = (await this.reader.latest([room])).get(room)?.seq ?? 0;
    const cursor = await this.rooms.advanceRead(room, userId, Math.min(seq, last));
    this.notifier.toRoom(room, { type: "read", room, userId, seq: cursor });
    return cursor;
  }

  private deliver(message: ChatMessage) {
    this.notifier.toRoom(message.room, { type: "message", ...message });
    this.activity.record("message.sent", message.from, message.room, { messageId: message.id, length: message.body.length });
    for (const l of this.listeners) l(message);
  }
}
