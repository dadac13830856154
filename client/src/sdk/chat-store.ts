/** Client state: rooms, messages per room (by seq, in their current state), pending sends and uploads, typing, presence, AI streams. */
import { batch } from "solid-js";
import { createStore, produce, reconcile } from "solid-js/store";
import type { Attachment, ChatMessage, ErrorCode, Friend, ReplyRef, RoomSummary, ServerFrame } from "../../../src/protocol/index.ts";
import { Api, ApiError, type Upload } from "./api.ts";
import { humanError, type ErrorTexts } from "./errors.ts";
import { applyUpdates, countAfterRead, countEvents, mergeMessages, quoteOf } from "./message-state.ts";
import { ChatSocket, type ChangeFrame, type ConnectionState } from "./socket.ts";

export type SendStatus = "sending" | "sent" | "failed";
export interface PendingMessage {
  clientId: string;
  room: string;
  body: string;
  status: SendStatus;
  createdAt: number;
  error?: string;
  /** Why the server refused it; `rate_limited`/`unavailable`/`internal` may pass on a retry. */
  code?: ErrorCode;
  replyTo?: ReplyRef;
  attachments?: Attachment[];
}
/** A file being uploaded for the next message of a room, then waiting to be sent with it. */
export interface PendingUpload {
  key: string;
  room: string;
  name: string;
  size: number;
  /** Bytes sent so far. */
  sent: number;
  status: "uploading" | "done" | "failed";
  attachment?: Attachment;
  error?: string;
}
export interface AiStream {
  streamId: string;
  room: string;
  text: string;
  status: "thinking" | "streaming" | "complete" | "incomplete" | "failed";
  messageId: string | null;
}

interface State {
  connection: ConnectionState;
  me: { id: string; username: string } | null;
  rooms: RoomSummary[];
  messages: Record<string, ChatMessage[]>;
  hasOlder: Record<string, boolean>;
  /** True while the room holds a page from its past (opened at a search hit) short of the live end. */
  hasNewer: Record<string, boolean>;
  /** A message to open the room at (a search hit): the list scrolls to it, highlights it, then clears this. */
  focus: Record<string, number | undefined>;
  /** True once `open` has loaded what the room opens on (its newest messages back to the first unread). */
  loaded: Record<string, boolean>;
  pending: PendingMessage[];
  typing: Record<string, Record<string, string | undefined>>; // room -> userId -> username (undefined: stopped)
  reads: Record<string, Record<string, number>>; // room -> userId -> seq
  names: Record<string, string>; // userId -> username, for "Seen by …"
  friends: Friend[];
  incoming: { id: string; username: string }[];
  outgoing: { id: string; username: string }[];
  ai: AiStream[];
  uploads: PendingUpload[];
  /** The message the next send in a room answers. */
  replyTo: Record<string, ChatMessage | undefined>;
  active: string | null;
  notice: string | null;
}

/** How far back opening a room loads to reach its first unread message. */
const OPEN_UNREAD_MAX = 1000;

export function createChat() {
  const api = new Api();
  const [state, set] = createStore<State>({
    connection: "offline", me: null, rooms: [], messages: {}, hasOlder: {}, hasNewer: {}, focus: {}, loaded: {}, pending: [], typing: {}, reads: {}, names: {},
    friends: [], incoming: [], outgoing: [], ai: [], uploads: [], replyTo: {}, active: null, notice: null,
  });

  /**
   * Replaces a room's messages with `next`, changing held messages in place (matched by seq): a row
   * on screen stays the same element when its message changes, so an open editor, picker or focus in
   * it survives a reaction arriving.
   */
  const setMessages = (room: string, next: (existing: ChatMessage[]) => ChatMessage[]) =>
    set("messages", room, reconcile(next(state.messages[room] ?? []), { key: "seq" }));
  const addMessages = (room: string, list: ChatMessage[]) => setMessages(room, (existing) => mergeMessages(existing, list));
  const held = (room: string) => {
    const list = state.messages[room] ?? [];
    return (id: string) => list.find((m) => m.id === id);
  };

  /**
   * A room's new events: `messages` new ones, `updates` changed ones, up to seq `toSeq`. Counts go
   * first, against the messages as they were held before.
   */
  const applyEvents = (room: string, messages: ChatMessage[], updates: ChatMessage[], toSeq: number) =>
    batch(() => {
      set("rooms", (r) => r.id === room, (r) => countEvents(r, state.me?.id, messages, updates, toSeq, held(room)));
      // Short of the live end, a live message would leave a gap: paging down reaches it.
      if (messages.length && !state.hasNewer[room]) addMessages(room, messages);
      if (updates.length) setMessages(room, (existing) => applyUpdates(existing, updates));
      const reply = state.replyTo[room];
      const changed = reply && updates.find((u) => u.id === reply.id);
      if (changed) set("replyTo", room, changed.deleted ? undefined : changed);
      for (const m of messages) {
        set("pending", (p) => p.filter((x) => !(x.clientId === m.clientId && m.from === state.me?.id)));
        setTyping(room, m.from, undefined);
      }
    });

  const refreshSocial = async () => {
    const [f, r] = await Promise.all([api.friends(), api.requests()]);
    set({ friends: f.friends, incoming: r.incoming, outgoing: r.outgoing });
  };
  const refreshRooms = async () => set("rooms", await api.allConversations());

  // The app shell listens here for notifications (title, desktop, sound) and member changes.
  const frameListeners = new Set<(f: ServerFrame) => void>();
  const onFrame = (f: ServerFrame) => {
    for (const listen of frameListeners) listen(f);
    switch (f.type) {
      case "ready":
        set({ rooms: f.rooms, me: f.user });
        // `ready` carries the most recent rooms only: the rest of the list comes in pages.
        if (f.roomsNext) void refreshRooms().catch(() => {});
        return;
      case "message": {
        const { type: _, ...m } = f;
        return applyEvents(f.room, [m], [], f.seq);
      }
      case "updated":
        return applyEvents(f.room, [], f.messages, f.toSeq);
      case "resumed":
        return applyEvents(f.room, f.messages, f.updates ?? [], f.lastSeq);
      case "typing":
        if (f.userId === state.me?.id) return;
        return setTyping(f.room, f.userId, f.on ? f.username : undefined);
      case "presence":
        return set("friends", (fr) => fr.id === f.userId, { online: f.status === "online", lastSeen: f.lastSeen });
      case "read":
        return set("reads", f.room, (r = {}) => ({ ...r, [f.userId]: f.seq }));
      case "room.added": {
        // Its first message can arrive before the announcement, whose summary may predate it.
        const newer = (state.messages[f.room.id] ?? []).filter((m) => m.seq > f.room.lastSeq);
        const room = newer.length ? { ...f.room, ...countEvents(f.room, state.me?.id, newer, [], newer.at(-1)!.seq, () => undefined) } : f.room;
        return set("rooms", (rs) => (rs.some((r) => r.id === room.id) ? rs : [room, ...rs]));
      }
      case "room.removed":
        if (state.active === f.room) set("active", null);
        return set("rooms", (rs) => rs.filter((r) => r.id !== f.room));
      case "room.renamed":
        return set("rooms", (r) => r.id === f.room, "name", f.name);
      case "friend":
        void refreshSocial();
        // Friendship decides whether a DM can be written in (its `readOnly` flag).
        if (f.op === "removed" || f.op === "accepted") void refreshRooms().catch(() => {});
        return;
      case "ai.start":
        return set("ai", (a) => [...a, { streamId: f.streamId, room: f.room, text: "", status: "thinking", messageId: null }]);
      case "ai.delta":
        return set("ai", (a) => a.streamId === f.streamId, produce((a) => { a.text += f.text; a.status = "streaming"; }));
      case "ai.end":
        return set("ai", (a) => a.streamId === f.streamId, { status: f.status, messageId: f.messageId });
      case "error":
        return set("notice", f.message);
    }
  };

  const socket = new ChatSocket(api, {
    frame: onFrame,
    state: (connection) => set("connection", connection),
    acked: (clientId) => set("pending", (p) => p.clientId === clientId, "status", "sent"),
    failed: (clientId, error, code) => set("pending", (p) => p.clientId === clientId, { status: "failed", error, code }),
  });

  // A store setter given a new object merges it into the old one, so a key has to be set to
  // undefined to go away: that is what clears "… is typing".
  const setTyping = (room: string, userId: string, username: string | undefined) => {
    if (!state.typing[room]) set("typing", room, {});
    set("typing", room, userId, username);
  };

  /** Marks the room read up to `upTo` (default: everything); the cursor only moves forward. */
  const markRead = (room: string, upTo?: number) => {
    const r = state.rooms.find((x) => x.id === room);
    if (!r || r.lastSeq === 0) return;
    const seq = Math.min(upTo ?? r.lastSeq, r.lastSeq);
    if (seq <= r.lastReadSeq) return;
    socket.frame({ type: "read", room, seq });
    set("rooms", (x) => x.id === room, { lastReadSeq: seq, ...countAfterRead(r, state.me?.id, state.messages[room] ?? [], seq) });
  };

  /** Sends a change (edit, delete, react); a refusal becomes the notice, in words for people. */
  const change = async (f: ChangeFrame, texts: ErrorTexts): Promise<boolean> => {
    try {
      await socket.request(f);
      return true;
    } catch (err) {
      set("notice", humanError(err, texts));
      return false;
    }
  };

  const uploads = new Map<string, Upload>();
  const outgoing = (p: PendingMessage) => ({
    clientId: p.clientId, room: p.room, body: p.body, replyTo: p.replyTo?.id, attachments: p.attachments?.map((a) => a.id),
  });

  const start = async () => {
    set("me", api.user);
    await Promise.all([refreshRooms(), refreshSocial(), api.fileAccess]);
    await socket.reopen();
  };
  api.onSessionEnded = () => {
    socket.close();
    // Nothing of this session's conversations stays for whoever logs in next on this page.
    for (const u of uploads.values()) u.abort();
    set({ me: null, connection: "offline", messages: {}, hasOlder: {}, hasNewer: {}, focus: {}, loaded: {}, pending: [], typing: {}, reads: {}, names: {}, ai: [], uploads: [], replyTo: {}, active: null });
  };

  return {
    state,
    api,
    socket,
    start,
    refreshSocial,
    refreshRooms,
    markRead,
    /**
     * Makes the room active and loads its newest messages back to the first unread one (up to
     * OPEN_UNREAD_MAX), so the conversation can open there. Nothing is marked read here: the
     * conversation marks what it actually shows.
     */
    async open(room: string) {
      batch(() => {
        set("active", room);
        set("loaded", room, false);
      });
      void this.loadReads(room);
      // A page from the past (a search hit) is not what the room opens on: start again from the newest.
      if (state.hasNewer[room]) set("messages", room, undefined!);
      set("hasNewer", room, false);
      const r = state.rooms.find((x) => x.id === room);
      const firstUnread = r && r.unread > 0 ? r.lastReadSeq + 1 : Infinity;
      try {
        if (!state.messages[room]) await this.loadOlder(room);
        for (let pages = 1; pages * 100 < OPEN_UNREAD_MAX && state.hasOlder[room] && (state.messages[room]?.[0]?.seq ?? 0) > firstUnread; pages++) {
          await this.loadOlder(room);
        }
      } finally {
        set("loaded", room, true);
      }
    },
    /**
     * Opens the room at message `seq` (a search hit) with the messages around it, replacing what the
     * room held; `loadNewer` pages on from there to the live end.
     */
    async openAt(room: string, seq: number) {
      const page = await api.around(room, seq, 100);
      const newest = Math.max(0, ...page.messages.map((m) => m.seq));
      const newer = page.nextAfter != null;
      // At the live end already: keep what arrived while the page was on its way.
      const keep = newer ? [] : (state.messages[room] ?? []).filter((m) => m.seq > newest);
      batch(() => {
        set("messages", room, []);
        addMessages(room, [...page.messages, ...keep]);
        set("hasOlder", room, page.nextBefore !== null);
        set("hasNewer", room, newer);
        set("focus", room, seq);
        set("loaded", room, true);
        set("active", room);
      });
      void this.loadReads(room);
    },
    /** The next page after the newest message held (`around` a seq half a page further on). */
    async loadNewer(room: string) {
      const newest = state.messages[room]?.at(-1)?.seq ?? 0;
      const page = await api.around(room, newest + 50, 100);
      addMessages(room, page.messages);
      set("hasNewer", room, page.nextAfter != null);
    },
    /** Drops a page from the past and loads the newest messages (jump to latest from a search hit). */
    async reloadLatest(room: string) {
      batch(() => {
        set("messages", room, []);
        set("hasNewer", room, false);
      });
      await this.loadOlder(room);
    },
    clearFocus: (room: string) => set("focus", room, undefined),
    /** Shows message `seq` highlighted: from what is held, else with the page around it. */
    async jumpTo(room: string, seq: number) {
      if (state.messages[room]?.some((m) => m.seq === seq)) set("focus", room, seq);
      else await this.openAt(room, seq);
    },
    async loadOlder(room: string) {
      const oldest = state.messages[room]?.[0]?.seq;
      const page = await api.messages(room, oldest, 100);
      addMessages(room, page.messages);
      set("hasOlder", room, page.nextBefore !== null);
    },
    /** The members' stored read cursors: "Seen" is right after a reload too. */
    async loadReads(room: string) {
      const { reads } = await api.reads(room).catch(() => ({ reads: [] }));
      batch(() => {
        for (const r of reads) set("names", r.userId, r.username);
        set("reads", room, (old = {}) => {
          const merged = { ...old };
          for (const r of reads) merged[r.userId] = Math.max(merged[r.userId] ?? 0, r.seq);
          return merged;
        });
      });
    },
    /** Drops a refused message from the pending list (the composer took its text back, the upload chips its files). */
    discard(clientId: string) {
      const p = state.pending.find((x) => x.clientId === clientId);
      const back = (p?.attachments ?? []).map((attachment): PendingUpload => ({
        key: crypto.randomUUID(), room: p!.room, name: attachment.name, size: attachment.size, sent: attachment.size, status: "done", attachment,
      }));
      batch(() => {
        set("pending", (list) => list.filter((x) => x.clientId !== clientId));
        if (back.length) set("uploads", (list) => [...list, ...back]);
      });
    },
    /** Sends `body` with the room's uploaded files and as a reply to the message being answered, if any. */
    send(room: string, body: string) {
      const clientId = crypto.randomUUID();
      const reply = state.replyTo[room];
      const files = state.uploads.filter((u) => u.room === room && u.status === "done").map((u) => u.attachment!);
      const p: PendingMessage = { clientId, room, body, status: "sending", createdAt: Date.now() };
      if (reply) p.replyTo = quoteOf(reply);
      if (files.length) p.attachments = files;
      batch(() => {
        set("pending", (list) => [...list, p]);
        set("replyTo", room, undefined);
        set("uploads", (list) => list.filter((u) => !(u.room === room && u.status === "done")));
      });
      socket.send(outgoing(p));
    },
    retry(clientId: string) {
      const p = state.pending.find((x) => x.clientId === clientId);
      if (!p) return;
      set("pending", (x) => x.clientId === clientId, { status: "sending", error: undefined });
      socket.send(outgoing(p));
    },
    /** The next message in `room` answers `m` (undefined: no longer). */
    replyTo: (room: string, m: ChatMessage | undefined) => set("replyTo", room, m),
    edit: (room: string, id: string, body: string) =>
      change({ type: "edit", room, id, body, clientId: crypto.randomUUID() }, {
        forbidden: "Only its author can edit a message.",
        conflict: "This message is too old to edit.",
        not_found: "This message was deleted.",
      }),
    remove: (room: string, id: string) =>
      change({ type: "delete", room, id }, { forbidden: "You can't delete this message.", not_found: "This message was already deleted." }),
    react: (room: string, id: string, emoji: string, on: boolean) =>
      change({ type: "react", room, id, emoji, on }, {
        conflict: "That's as many different reactions as one message can take from you.",
        not_found: "This message was deleted.",
      }),
    /** Uploads a file for the room's next message; its progress and outcome show in `uploads`. */
    attach(room: string, file: File) {
      const key = crypto.randomUUID();
      const upload = api.upload(room, file, (sent) => set("uploads", (u) => u.key === key, "sent", sent));
      uploads.set(key, upload);
      set("uploads", (list) => [...list, { key, room, name: file.name, size: file.size, sent: 0, status: "uploading" }]);
      upload.done.then(
        (attachment) => set("uploads", (u) => u.key === key, { status: "done", attachment, sent: file.size }),
        (err) => {
          if (err instanceof DOMException && err.name === "AbortError") return;
          set("uploads", (u) => u.key === key, { status: "failed", error: humanError(err, { payload_too_large: "This file is larger than the server accepts." }) });
        },
      ).finally(() => uploads.delete(key));
    },
    /** Cancels an upload on its way, or drops one done but not sent (the server deletes it). */
    detach(key: string) {
      const u = state.uploads.find((x) => x.key === key);
      if (!u) return;
      uploads.get(key)?.abort();
      if (u.attachment) void api.deleteFile(u.attachment.id).catch(() => {});
      set("uploads", (list) => list.filter((x) => x.key !== key));
    },
    typing(room: string, on: boolean) {
      socket.frame({ type: "typing", room, on });
    },
    async openDm(userId: string) {
      const room = await api.openDm(userId);
      set("rooms", (rs) => (rs.some((r) => r.id === room.id) ? rs : [room, ...rs]));
      await this.open(room.id);
    },
    async createGroup(name: string, members: string[]) {
      const room = await api.createGroup(name, members);
      set("rooms", (rs) => (rs.some((r) => r.id === room.id) ? rs : [room, ...rs]));
      await this.open(room.id);
    },
    dismissNotice: () => set("notice", null),
    /** Calls `listen` with every frame the client applies; returns the unsubscribe function. */
    onFrame(listen: (f: ServerFrame) => void) {
      frameListeners.add(listen);
      return () => frameListeners.delete(listen);
    },
  };
}

export type Chat = ReturnType<typeof createChat>;
