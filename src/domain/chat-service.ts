import type { AccountStore, ChangeResult, MessageChange, MessageChangeLog, MessageChangeReader, MessageLog, MessageReader, RoomStore } from "../ports/index.ts";
import { LIMITS, type ActivityType } from "../protocol/index.ts";
import { fail } from "./errors.ts";
import { newId } from "./ids.ts";
import { mentionedNames, replyRefOf } from "./mentions.ts";
import type { AppendResult, Attachment, ChatMessage, MessageDraft } from "./model.ts";
import type { Notifier } from "./notifier.ts";
import { NO_ACTIVITY, type ActivityRecorder } from "./activity.ts";

export interface Sender {
  userId: string;
  username: string;
}

/** Called after a new (non-duplicate) message is durable and delivered, e.g. to answer `/ai`. */
export type MessageListener = (message: ChatMessage) => void;

/** An applied change to an existing message, after it is durable and delivered. */
export interface AppliedChange {
  kind: MessageChange["kind"];
  by: string;
  seq: number;
  /** The message's state after the change (a deletion: the tombstone). */
  message: ChatMessage;
  /** Deletions only: the attachments the message carried, now to be erased. */
  removedAttachments?: Attachment[];
}
export type ChangeListener = (change: AppliedChange) => void;

/**
 * Turns the upload ids of a `send` into the attachments the message carries. Refuses (DomainError)
 * ids that are not the sender's unsent uploads in this room.
 */
export type AttachmentResolver = (from: Sender, room: string, uploadIds: string[], clientId: string) => Promise<Attachment[]>;

export interface SendOptions {
  /** The id of a message of the same room this one answers. */
  replyTo?: string;
  /** Upload ids (POST /api/files); needs an AttachmentResolver. */
  attachmentIds?: string[];
}

/** A message ready for the log, with the message it answers (for the live frame's ReplyRef). */
export interface ComposedMessage {
  draft: MessageDraft;
  reply?: ChatMessage;
}

/** What edits, deletions and reactions need besides the message log. */
export interface MessageChangeDeps {
  changes: MessageChangeLog;
  changeReader: MessageChangeReader;
  accounts: Pick<AccountStore, "userByName">;
  /** How long after sending the author may edit; 0 = forever. */
  editWindowSec: number;
}

/** The answer to an edit, delete or react: the target and the change's seq (a no-op: the target's rev, duplicate). */
export interface ChangeAck {
  id: string;
  seq: number;
  duplicate: boolean;
}

const ACTIVITY_OF: Record<MessageChange["kind"], ActivityType> = {
  edit: "message.edited",
  delete: "message.deleted",
  react: "reaction.added",
  unreact: "reaction.removed",
};

/**
 * Sending, changing and reading messages. Membership (and, in a DM, friendship) is checked by the
 * caller (the gateway caches it per socket); everything here assumes the user may post in the room.
 */
export class ChatService {
  private listeners: MessageListener[] = [];
  private changeListeners: ChangeListener[] = [];
  private resolveAttachments: AttachmentResolver | null = null;

  constructor(
    private log: MessageLog,
    private reader: MessageReader,
    private rooms: RoomStore,
    private notifier: Notifier,
    private lifecycle: MessageChangeDeps,
    private activity: ActivityRecorder = NO_ACTIVITY,
  ) {}

  onMessage(listener: MessageListener): void {
    this.listeners.push(listener);
  }

  /** Called after every applied change, e.g. to erase a deleted message's files. */
  onChange(listener: ChangeListener): void {
    this.changeListeners.push(listener);
  }

  /** Enables `attachments` on send (the files feature). */
  useAttachments(resolver: AttachmentResolver): void {
    this.resolveAttachments = resolver;
  }

  /**
   * Resolves once the message is durable, then delivers it to the room. A retry with the same
   * clientId resolves with the original and is not delivered again.
   */
  async send(from: Sender, room: string, body: string, clientId: string, options: SendOptions = {}): Promise<AppendResult> {
    return this.commit(await this.compose(from, room, body, clientId, options));
  }

  /**
   * The first half of `send`: checks the message and resolves what it refers to (the answered
   * message, mentioned users, uploads). Synchronous when there is nothing to look up, so a plain
   * message goes to the log without a wait; callers that keep a socket's sends in order wait for a
   * returned promise before composing the next one.
   */
  compose(from: Sender, room: string, body: string, clientId: string, options: SendOptions = {}): ComposedMessage | Promise<ComposedMessage> {
    const hasFiles = (options.attachmentIds?.length ?? 0) > 0;
    if (body.trim().length === 0 && !hasFiles) fail("bad_request", "message body is empty");
    const draft: MessageDraft = { id: newId(), room, from: from.userId, fromName: from.username, body, clientId, createdAt: Date.now() };
    const names = mentionedNames(body);
    if (!options.replyTo && !hasFiles && names.length === 0) return { draft };
    return Promise.all([
      options.replyTo ? this.existing(room, options.replyTo) : undefined,
      this.membersNamed(room, names),
      hasFiles ? this.attachmentsOf(from, room, options.attachmentIds!, clientId) : undefined,
    ]).then(([reply, mentions, attachments]) => {
      if (reply) draft.replyTo = reply.id;
      if (mentions.length) draft.mentions = mentions;
      if (attachments?.length) draft.attachments = attachments;
      return reply ? { draft, reply } : { draft };
    });
  }

  /** The second half of `send`: appends the composed message and delivers it once durable. */
  async commit({ draft, reply }: ComposedMessage): Promise<AppendResult> {
    const result = await this.log.append(draft);
    if (result.duplicate) return result;
    const message = reply ? { ...result.message, replyTo: replyRefOf(reply) } : result.message;
    this.deliver(message);
    return { message, duplicate: false };
  }

  /** Stores a message authored by the server itself (the AI bot) and delivers it. */
  async post(message: Omit<Parameters<MessageLog["append"]>[0], "id" | "createdAt">): Promise<AppendResult> {
    const result = await this.log.append({ ...message, id: newId(), createdAt: Date.now() });
    if (!result.duplicate) this.deliver(result.message);
    return result;
  }

  /** The author rewrites the body, within the edit window. A retry with the same clientId is a no-op. */
  async edit(by: Sender, room: string, id: string, body: string, clientId: string): Promise<ChangeAck> {
    if (body.trim().length === 0) fail("bad_request", "message body is empty");
    const target = await this.existing(room, id);
    if (target.from !== by.userId) fail("forbidden", "only its author can edit a message");
    const windowSec = this.lifecycle.editWindowSec;
    if (windowSec > 0 && Date.now() > target.createdAt + windowSec * 1000) {
      fail("conflict", `a message can only be edited within ${windowSec} seconds of sending it`);
    }
    const mentions = await this.membersNamed(room, mentionedNames(body));
    return this.apply(room, id, by.userId, { kind: "edit", body, mentions }, clientId);
  }

  /** The author, or the creator of the group it is in. Deleting a tombstone is a no-op. */
  async delete(by: Sender, room: string, id: string): Promise<ChangeAck> {
    const target = await this.lifecycle.changeReader.byId(room, id);
    if (!target) return fail("not_found", "no such message in this room");
    if (target.deleted) return { id, seq: target.rev ?? target.seq, duplicate: true };
    if (target.from !== by.userId) {
      const r = await this.rooms.room(room);
      if (r?.kind !== "group" || r.createdBy !== by.userId) fail("forbidden", "only its author or the group's creator can delete a message");
    }
    return this.apply(room, id, by.userId, { kind: "delete" }, undefined, target.attachments);
  }

  /** Any member; `on` adds the emoji, off removes it; either is a no-op when already so. */
  async react(by: Sender, room: string, id: string, emoji: string, on: boolean): Promise<ChangeAck> {
    return this.apply(room, id, by.userId, on ? { kind: "react", emoji } : { kind: "unreact", emoji });
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

  /**
   * Everything after `afterSeq`: newer messages, and older ones changed since (`updates`), all in
   * their current state. `lastSeq` is where the client stands afterwards: the room's newest event
   * (message or change) when nothing is left, else where this page stops (resume again from there).
   */
  async resume(room: string, afterSeq: number, limit: number): Promise<{ messages: ChatMessage[]; updates: ChatMessage[]; hasMore: boolean; lastSeq: number }> {
    const [page, changed] = await Promise.all([
      this.reader.after(room, afterSeq, limit + 1),
      this.lifecycle.changeReader.changedAfter(room, afterSeq, limit + 1),
    ]);
    let messages = page.slice(0, limit);
    const updates = changed.slice(0, limit);
    let hasMore = page.length > limit;
    let stop = hasMore ? messages.at(-1)!.seq : Infinity;
    if (changed.length > limit) {
      // Changes beyond the page: stop at the last one sent, so the next resume starts after it.
      stop = Math.min(stop, updates.at(-1)!.rev!);
      messages = messages.filter((m) => m.seq <= stop);
      hasMore = true;
    }
    // With nothing left, the newest event is a message's seq or the rev its last change gave it.
    const lastSeq = hasMore ? stop : Math.max(afterSeq, ...messages.map((m) => Math.max(m.seq, m.rev ?? 0)), ...updates.map((m) => m.rev ?? 0));
    return { messages, updates, hasMore, lastSeq };
  }

  /** Moves the user's read cursor, never past the room's newest message (a seq from the future is clamped). */
  async markRead(room: string, userId: string, seq: number): Promise<number> {
    const last = (await this.reader.latest([room])).get(room)?.seq ?? 0;
    const cursor = await this.rooms.advanceRead(room, userId, Math.min(seq, last));
    this.notifier.toRoom(room, { type: "read", room, userId, seq: cursor });
    return cursor;
  }

  private async apply(room: string, id: string, by: string, change: MessageChange, clientId?: string, attachments?: Attachment[]): Promise<ChangeAck> {
    const draft = { room, messageId: id, by, at: Date.now(), change, ...(clientId ? { clientId } : {}) };
    const result: ChangeResult = await this.lifecycle.changes.change(draft);
    switch (result.status) {
      case "not_found":
        return fail("not_found", "no such message in this room (or it was deleted)");
      case "limit":
        return fail("conflict", `at most ${LIMITS.reactionsPerUser} different reactions per person on a message`);
      case "noop":
        return { id, seq: result.message.rev ?? result.message.seq, duplicate: true };
    }
    const { seq, message } = result;
    this.notifier.toRoom(room, { type: "updated", room, fromSeq: seq, toSeq: seq, messages: [message] });
    // Ids only: never the body or the emoji's text beyond what identifies the event.
    this.activity.record(ACTIVITY_OF[change.kind], by, room, { messageId: id });
    const applied: AppliedChange = { kind: change.kind, by, seq, message };
    if (change.kind === "delete" && attachments?.length) applied.removedAttachments = attachments;
    for (const l of this.changeListeners) l(applied);
    return { id, seq, duplicate: false };
  }

  /** A message of the room that is not deleted, else `not_found`. */
  private async existing(room: string, id: string): Promise<ChatMessage> {
    const target = await this.lifecycle.changeReader.byId(room, id);
    if (!target || target.deleted) return fail("not_found", "no such message in this room (or it was deleted)");
    return target;
  }

  /** `clientId` lets a retried send reuse the uploads its first attempt reserved. */
  private attachmentsOf(from: Sender, room: string, ids: string[], clientId: string): Promise<Attachment[]> {
    if (!this.resolveAttachments) return fail("bad_request", "attachments are not supported by this server");
    return this.resolveAttachments(from, room, [...new Set(ids)], clientId);
  }

  /** The ids of the room's members among these usernames (unknown names and non-members are plain text). */
  private async membersNamed(room: string, names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const users = await Promise.all(names.map((n) => this.lifecycle.accounts.userByName(n)));
    const ids = users.filter((u) => u !== null).map((u) => u.id);
    const members = await Promise.all(ids.map((id) => this.rooms.isMember(room, id)));
    return ids.filter((_, i) => members[i]);
  }

  private deliver(message: ChatMessage) {
    this.notifier.toRoom(message.room, { type: "message", ...message });
    this.activity.record("message.sent", message.from, message.room, { messageId: message.id, length: message.body.length });
    for (const l of this.listeners) l(message);
  }
}
