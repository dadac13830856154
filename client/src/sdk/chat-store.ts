/** Client state: rooms, messages per room (by seq, deduplicated), pending sends, typing, presence, AI streams. */
import { batch } from "solid-js";
import { createStore, produce } from "solid-js/store";
import type { ChatMessage, ErrorCode, Friend, RoomSummary, ServerFrame } from "../../../src/protocol/index.ts";
import { Api } from "./api.ts";
import { ChatSocket, type ConnectionState } from "./socket.ts";

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
  active: string | null;
  notice: string | null;
}

/** How far back opening a room loads to reach its first unread message. */
const OPEN_UNREAD_MAX = 1000;

export function createChat() {
  const api = new Api();
  const [state, set] = createStore<State>({
    connection: "offline", me: null, rooms: [], messages: {}, hasOlder: {}, hasNewer: {}, focus: {}, loaded: {}, pending: [], typing: {}, reads: {}, names: {},
    friends: [], incoming: [], outgoing: [], ai: [], active: null, notice: null,
  });

  const addMessages = (room: string, list: ChatMessage[]) =>
    set("messages", room, (existing = []) => {
      const bySeq = new Map(existing.map((m) => [m.seq, m]));
      for (const m of list) bySeq.set(m.seq, m);
      return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
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
      case "message":
        batch(() => {
          // Short of the live end, a live message would leave a gap: paging down reaches it.
          if (!state.hasNewer[f.room]) addMessages(f.room, [f]);
          set("pending", (p) => p.filter((x) => !(x.clientId === f.clientId && f.from === state.me?.id)));
          set("rooms", (r) => r.id === f.room, produce((r) => {
            r.lastMessage = f;
            r.lastSeq = Math.max(r.lastSeq, f.seq);
            if (f.from === state.me?.id) r.lastReadSeq = r.lastSeq;
            r.unread = Math.max(0, r.lastSeq - r.lastReadSeq);
          }));
          setTyping(f.room, f.from, undefined);
        });
        return;
      case "typing":
        if (f.userId === state.me?.id) return;
        return setTyping(f.room, f.userId, f.on ? f.username : undefined);
      case "presence":
        return set("friends", (fr) => fr.id === f.userId, { online: f.status === "online", lastSeen: f.lastSeen });
      case "read":
        return set("reads", f.room, (r = {}) => ({ ...r, [f.userId]: f.seq }));
      case "room.added": {
        // Its first message can arrive before the announcement, whose summary may predate it.
        const newest = state.messages[f.room.id]?.at(-1);
        const room = newest && newest.seq > f.room.lastSeq
          ? { ...f.room, lastMessage: newest, lastSeq: newest.seq, unread: newest.seq - f.room.lastReadSeq }
          : f.room;
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
    set("rooms", (x) => x.id === room, { lastReadSeq: seq, unread: Math.max(0, r.lastSeq - seq) });
  };

  const start = async () => {
    set("me", api.user);
    await Promise.all([refreshRooms(), refreshSocial()]);
    await socket.reopen();
  };
  api.onSessionEnded = () => {
    socket.close();
    // Nothing of this session's conversations stays for whoever logs in next on this page.
    set({ me: null, connection: "offline", messages: {}, hasOlder: {}, hasNewer: {}, focus: {}, loaded: {}, pending: [], typing: {}, reads: {}, names: {}, ai: [], active: null });
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
    /** Drops a refused message from the pending list (the composer took its text back). */
    discard(clientId: string) {
      set("pending", (p) => p.filter((x) => x.clientId !== clientId));
    },
    send(room: string, body: string) {
      const clientId = crypto.randomUUID();
      set("pending", (p) => [...p, { clientId, room, body, status: "sending", createdAt: Date.now() }]);
      socket.send({ clientId, room, body });
    },
    retry(clientId: string) {
      const p = state.pending.find((x) => x.clientId === clientId);
      if (!p) return;
      set("pending", (x) => x.clientId === clientId, { status: "sending", error: undefined });
      socket.send({ clientId, room: p.room, body: p.body });
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
