/**
 * The realtime connection: single-use ticket, reconnect with capped exponential backoff and jitter,
 * `resume` of every room from its last seq after a reconnect or a seq gap, and an outbox of unsent
 * messages (same clientId on every retry, so nothing doubles).
 */
import { serverFrameSchema, shouldReconnect, type ClientFrame, type ErrorCode, type ServerFrame, type ServerFrameOf } from "../../../src/protocol/index.ts";
import { ApiError, type Api } from "./api.ts";

export type ConnectionState = "connecting" | "online" | "reconnecting" | "offline";

export interface Outgoing {
  clientId: string;
  room: string;
  body: string;
  /** The id of the message it answers. */
  replyTo?: string;
  /** Upload ids (POST /api/files). */
  attachments?: string[];
}

/** Changes to a message, answered by an `ack` (or an `error`) with the same ref. */
export type ChangeFrame = Extract<ClientFrame, { type: "edit" | "delete" | "react" }>;
export type Ack = ServerFrameOf<"ack">;

export interface SocketEvents {
  frame(frame: ServerFrame): void;
  state(state: ConnectionState): void;
  acked(clientId: string, id: string, seq: number): void;
  /** The server refused a send; `code` (e.g. `rate_limited`) says whether a retry can work. */
  failed(clientId: string, reason: string, code: ErrorCode): void;
}

export class ChatSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private outbox = new Map<string, Outgoing>();
  private refs = new Map<string, string>(); // ref -> clientId
  private calls = new Map<string, { resolve: (ack: Ack) => void; reject: (err: ApiError) => void }>();
  private nextRef = 1;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Highest contiguous seq seen per room; the client resumes from here. */
  readonly lastSeq = new Map<string, number>();

  constructor(private api: Api, private on: SocketEvents) {}

  async connect(): Promise<void> {
    if (this.stopped) return;
    this.on.state(this.attempt === 0 ? "connecting" : "reconnecting");
    try {
      const { ticket } = await this.api.ticket();
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      const ws = new WebSocket(`${proto}//${location.host}/ws?ticket=${encodeURIComponent(ticket)}`);
      this.ws = ws;
      ws.onmessage = (e) => this.receive(String(e.data));
      ws.onclose = (e) => {
        if (this.ws !== ws) return; // a socket closed before a logout and login; a newer one took over
        this.ws = null;
        this.failCalls();
        if (this.stopped) return;
        if (!shouldReconnect(e.code)) return this.on.state("offline");
        this.retryLater();
      };
    } catch {
      this.retryLater();
    }
  }

  /** Connects again after `close()` (logging in after a logout on the same page). */
  reopen(): Promise<void> {
    this.stopped = false;
    this.attempt = 0;
    this.lastSeq.clear();
    return this.connect();
  }

  close() {
    this.stopped = true;
    this.ws?.close();
  }

  /** Queues a message; it is sent now if connected, or after the next reconnect. */
  send(m: Outgoing) {
    this.outbox.set(m.clientId, m);
    this.flushOne(m);
  }

  frame(f: ClientFrame) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(f));
  }

  /**
   * Sends an edit, delete or react and settles with its `ack`, or fails with an ApiError carrying the
   * server's code. Offline, or when the connection drops first, it fails with `unavailable`: the
   * outcome is unknown, and all three are safe to repeat (edits carry a clientId, reactions are set
   * on or off, a second delete is refused).
   */
  request(f: ChangeFrame): Promise<Ack> {
    if (this.ws?.readyState !== WebSocket.OPEN) return Promise.reject(new ApiError(0, "unavailable", "not connected"));
    const ref = `c${this.nextRef++}`;
    const done = new Promise<Ack>((resolve, reject) => this.calls.set(ref, { resolve, reject }));
    this.ws.send(JSON.stringify({ ...f, ref }));
    return done;
  }

  private failCalls() {
    for (const call of this.calls.values()) call.reject(new ApiError(0, "unavailable", "connection lost"));
    this.calls.clear();
  }

  /** Drop the socket as if the network went away (used by the UI's reconnect and tests). */
  dropConnection() {
    this.ws?.close(4000, "client dropped");
  }

  /** Skip the backoff wait ("retry now" in the UI); a no-op while connected. */
  retryNow() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.retryTimer);
    void this.connect();
  }

  private retryLater() {
    this.on.state("reconnecting");
    const delay = Math.min(30_000, 500 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private flushOne(m: Outgoing) {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    const ref = `s${this.nextRef++}`;
    this.refs.set(ref, m.clientId);
    const frame: ClientFrame = { type: "send", ref, room: m.room, body: m.body, clientId: m.clientId };
    if (m.replyTo) frame.replyTo = m.replyTo;
    if (m.attachments?.length) frame.attachments = m.attachments;
    this.ws.send(JSON.stringify(frame));
  }

  private resume(room: string) {
    this.frame({ type: "resume", room, afterSeq: this.lastSeq.get(room) ?? 0, ref: `r${this.nextRef++}` });
  }

  private receive(raw: string) {
    const parsed = serverFrameSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) return;
    const f = parsed.data;
    switch (f.type) {
      case "ready":
        this.attempt = 0;
        this.on.state("online");
        this.on.frame(f);
        for (const r of f.rooms) {
          if (!this.lastSeq.has(r.id)) this.lastSeq.set(r.id, r.lastSeq);
          else if (r.lastSeq > this.lastSeq.get(r.id)!) this.resume(r.id);
        }
        for (const m of this.outbox.values()) this.flushOne(m);
        return;
      case "message": {
        const last = this.lastSeq.get(f.room) ?? 0;
        if (f.seq <= last) return; // already have it
        if (f.seq > last + 1) return this.resume(f.room); // a gap: fetch what was missed, in order
        this.lastSeq.set(f.room, f.seq);
        return this.on.frame(f);
      }
      case "updated": {
        // Changes take seqs too: they count as received, so the next message is no gap.
        const last = this.lastSeq.get(f.room) ?? 0;
        if (f.toSeq <= last) return;
        if (f.fromSeq > last + 1) return this.resume(f.room); // the resume brings them as `updates`
        this.lastSeq.set(f.room, f.toSeq);
        return this.on.frame(f);
      }
      case "resumed": {
        // Seqs of changes sit between the messages: the page covers everything up to its lastSeq.
        // The last page also holds every change up to now, so the newest rev among `updates` was seen.
        const last = this.lastSeq.get(f.room) ?? 0;
        const newestChange = f.hasMore ? 0 : Math.max(0, ...(f.updates ?? []).map((m) => m.rev ?? 0));
        this.lastSeq.set(f.room, Math.max(last, f.lastSeq, newestChange));
        this.on.frame({ ...f, messages: f.messages.filter((m) => m.seq > last) });
        if (f.hasMore) this.resume(f.room);
        return;
      }
      case "ack": {
        const call = this.calls.get(f.ref);
        if (call) {
          this.calls.delete(f.ref);
          return call.resolve(f);
        }
        const clientId = this.refs.get(f.ref);
        if (!clientId) return;
        this.refs.delete(f.ref);
        this.outbox.delete(clientId);
        return this.on.acked(clientId, f.id, f.seq);
      }
      case "error": {
        const call = f.ref ? this.calls.get(f.ref) : undefined;
        if (call) {
          this.calls.delete(f.ref!);
          return call.reject(new ApiError(0, f.code, f.message));
        }
        const clientId = f.ref ? this.refs.get(f.ref) : undefined;
        if (clientId) {
          this.refs.delete(f.ref!);
          this.outbox.delete(clientId);
          return this.on.failed(clientId, f.message, f.code);
        }
        return this.on.frame(f);
      }
      case "room.added":
        if (!this.lastSeq.has(f.room.id)) this.lastSeq.set(f.room.id, 0);
        this.resume(f.room.id);
        return this.on.frame(f);
      default:
        return this.on.frame(f);
    }
  }
}
