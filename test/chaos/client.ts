/**
 * A chaos-run client: sends continuously into one room and behaves like the real SDK under faults —
 * reconnects with backoff (rotating over the instances it knows), resumes from the last seq it
 * holds (and on any gap), re-sends unacked messages with the same clientId, and treats a silent
 * connection (no pong) as dead. It records what it was acked and what it saw, for the audit.
 */
import type { ServerFrame } from "../../src/protocol/index.ts";
import { api, sleep, type Account } from "../support/client.ts";

export interface Acked {
  id: string;
  seq: number;
}

const PING_EVERY_MS = 1000;
const DEAD_AFTER_MS = 4000;

export class ChaosClient {
  /** seq → message id, as this client's view of the room. */
  readonly seen = new Map<number, string>();
  /** clientId → ack. */
  readonly acked = new Map<string, Acked>();
  /** A seq delivered again with a different id, or an id seen at two seqs. */
  duplicates = 0;
  sent = 0;
  rejected = 0;
  reconnects = 0;
  private outbox = new Map<string, string>(); // clientId → body, until acked
  private refs = new Map<string, string>(); // ref → clientId
  private ws: WebSocket | null = null;
  private lastPong = 0;
  private stopped = false;
  private sending = false;
  private n = 0;
  private urlIndex = 0;
  private timers: ReturnType<typeof setInterval>[] = [];
  private resuming = false;

  constructor(
    readonly name: string,
    readonly account: Account,
    readonly room: string,
    /** HTTP base URLs to try in turn (instances, or a proxy in front of one). */
    private urls: () => string[],
  ) {}

  get lastSeq(): number {
    let s = 0;
    while (this.seen.has(s + 1)) s++;
    return s;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(sendEveryMs: number): void {
    void this.connectLoop();
    this.timers.push(setInterval(() => this.sendNext(), sendEveryMs));
    this.timers.push(setInterval(() => this.heartbeat(), PING_EVERY_MS));
  }

  /** Stops sending new messages; keeps the connection so unacked ones still go out. */
  pauseSending(): void {
    this.sending = false;
  }
  resumeSending(): void {
    this.sending = true;
  }

  /** Messages not acked yet (sent while the server could not take them). */
  get pending(): number {
    return this.outbox.size;
  }

  close(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.ws?.close();
  }

  /** Cuts the connection locally without a close handshake, as when the network vanishes. */
  drop(): void {
    const ws = this.ws;
    this.ws = null;
    try {
      (ws as (WebSocket & { terminate?: () => void }) | null)?.terminate?.();
    } catch {
      ws?.close();
    }
    if (!this.stopped) void this.connectLoop();
  }

  private sendNext(): void {
    if (!this.sending) return;
    const clientId = `${this.name}-${++this.n}`;
    this.outbox.set(clientId, `chaos ${clientId}`);
    this.sent++;
    this.transmit(clientId);
  }

  private transmit(clientId: string): void {
    const body = this.outbox.get(clientId);
    if (!body || !this.connected) return;
    const ref = `s${clientId}`;
    this.refs.set(ref, clientId);
    this.ws!.send(JSON.stringify({ type: "send", ref, room: this.room, body, clientId }));
  }

  private heartbeat(): void {
    if (!this.connected) return;
    if (Date.now() - this.lastPong > DEAD_AFTER_MS) {
      this.drop(); // a black hole: no close frame will ever come
      return;
    }
    this.ws!.send(JSON.stringify({ type: "ping" }));
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 0; !this.stopped && !this.ws; attempt++) {
      const urls = this.urls();
      const base = urls[this.urlIndex++ % urls.length]!;
      try {
        // Bounded: behind a black hole the request would never be answered.
        const t = await Promise.race([
          api(base, "POST", "/api/auth/ws-ticket", { token: this.account.accessToken }),
          sleep(3000).then(() => Promise.reject(new Error("ticket timed out"))),
        ]);
        if (t.status !== 200) throw new Error(`ticket ${t.status}`);
        await this.open(base.replace(/^http/, "ws") + `/ws?ticket=${encodeURIComponent(t.body.ticket)}`);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 1500) * (0.5 + Math.random())));
      }
    }
  }

  private open(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const timer = setTimeout(() => (ws.close(), reject(new Error("open timed out"))), 5000);
      ws.onopen = () => {
        clearTimeout(timer);
        this.ws = ws;
        this.lastPong = Date.now();
        this.reconnects++;
        resolve();
      };
      ws.onerror = () => {
        clearTimeout(timer);
        reject(new Error("websocket error"));
      };
      ws.onclose = () => {
        if (this.ws !== ws) return;
        this.ws = null;
        if (!this.stopped) void this.connectLoop();
      };
      ws.onmessage = (e) => {
        if (this.ws !== ws) return;
        this.lastPong = Date.now(); // any frame proves the path is alive
        this.onFrame(JSON.parse(String(e.data)) as ServerFrame);
      };
    });
  }

  private onFrame(f: ServerFrame): void {
    switch (f.type) {
      case "ready":
        this.resume();
        for (const clientId of this.outbox.keys()) this.transmit(clientId);
        return;
      case "message":
        if (f.room !== this.room) return;
        this.record(f.seq, f.id);
        if (f.seq > this.lastSeq + 1) this.resume(); // a gap
        return;
      case "resumed":
        this.resuming = false;
        for (const m of f.messages) this.record(m.seq, m.id);
        if (f.hasMore || (f.messages.length > 0 && this.seen.size > this.lastSeq)) this.resume();
        return;
      case "ack": {
        const clientId = f.ref ? this.refs.get(f.ref) : undefined;
        if (!clientId) return;
        this.refs.delete(f.ref!);
        this.outbox.delete(clientId);
        this.acked.set(clientId, { id: f.id, seq: f.seq });
        return;
      }
      case "error": {
        const clientId = f.ref ? this.refs.get(f.ref) : undefined;
        if (clientId) {
          // unavailable / rate_limited: retried with the same clientId after a pause
          this.rejected++;
          this.refs.delete(f.ref!);
          setTimeout(() => this.transmit(clientId), 500);
        } else if (f.ref?.startsWith("resume")) {
          this.resuming = false;
          setTimeout(() => this.resume(), 500);
        }
        return;
      }
    }
  }

  private record(seq: number, id: string): void {
    const had = this.seen.get(seq);
    if (had === undefined) this.seen.set(seq, id);
    else if (had !== id) this.duplicates++;
  }

  /** Asks for everything after the last contiguous seq; one request in flight at a time. */
  resume(): void {
    if (!this.connected || this.resuming) return;
    this.resuming = true;
    this.ws!.send(JSON.stringify({ type: "resume", ref: `resume${Date.now()}`, room: this.room, afterSeq: this.lastSeq, limit: 500 }));
  }
}
