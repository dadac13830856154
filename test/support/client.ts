import type { ClientFrame, ServerFrame, ServerFrameOf } from "../../src/protocol/index.ts";

export interface Account {
  id: string;
  username: string;
  password: string;
  accessToken: string;
  refreshCookie: string;
}

let counter = 0;
/** Unique, valid usernames per test run. */
export const uniqueName = (prefix = "u") => `${prefix}_${Date.now().toString(36)}${(counter++).toString(36)}`.slice(0, 32);

export async function api(
  baseUrl: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; cookie?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

export const refreshCookieOf = (headers: Headers) =>
  (headers.get("set-cookie") ?? "").split(";")[0] ?? "";

export async function register(baseUrl: string, prefix = "u", password = "correct horse"): Promise<Account> {
  const username = uniqueName(prefix);
  const res = await api(baseUrl, "POST", "/api/auth/register", { body: { username, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.user.id,
    username,
    password,
    accessToken: res.body.accessToken,
    refreshCookie: refreshCookieOf(res.headers),
  };
}

export async function befriend(baseUrl: string, a: Account, b: Account): Promise<void> {
  const r1 = await api(baseUrl, "POST", "/api/friends/requests", { token: a.accessToken, body: { username: b.username } });
  if (r1.status !== 201) throw new Error(`friend request failed: ${r1.status}`);
  const r2 = await api(baseUrl, "POST", `/api/friends/requests/${a.id}/accept`, { token: b.accessToken });
  if (r2.status !== 204) throw new Error(`accept failed: ${r2.status}`);
}

type Predicate<T> = (f: T) => boolean;

/** A real WebSocket client speaking the protocol, with helpers to await specific frames. */
export class WsClient {
  readonly frames: ServerFrame[] = [];
  closeCode: number | null = null;
  /** The socket's first frame. */
  ready!: ServerFrameOf<"ready">;
  private waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  private closeWaiters: ((code: number) => void)[] = [];
  private refs = 0;

  private constructor(readonly ws: WebSocket) {
    ws.onmessage = (e) => {
      const frame = JSON.parse(String(e.data)) as ServerFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => (w.match(frame) ? (w.resolve(frame), false) : true));
    };
    ws.onclose = (e) => {
      this.closeCode = e.code;
      for (const w of this.closeWaiters) w(e.code);
    };
  }

  static async connect(baseUrl: string, account: Account, opts: { headers?: Record<string, string> } = {}): Promise<WsClient> {
    const t = await api(baseUrl, "POST", "/api/auth/ws-ticket", { token: account.accessToken });
    if (t.status !== 200) throw new Error(`ticket failed: ${t.status}`);
    const url = baseUrl.replace(/^http/, "ws") + `/ws?ticket=${encodeURIComponent(t.body.ticket)}`;
    const ws = new WebSocket(url, { headers: opts.headers } as any);
    const client = new WsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error("websocket failed to open"));
    });
    client.ready = await client.next("ready");
    return client;
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Uint8Array): void {
    this.ws.send(data);
  }

  ref(): string {
    return `r${++this.refs}`;
  }

  /** Resolves with the first frame (already received or future) of that type matching `pred`. */
  next<T extends ServerFrame["type"]>(type: T, pred: Predicate<ServerFrameOf<T>> = () => true, timeoutMs = 10_000): Promise<ServerFrameOf<T>> {
    const match = (f: ServerFrame) => f.type === type && pred(f as ServerFrameOf<T>);
    const idx = this.frames.findIndex(match);
    if (idx >= 0) return Promise.resolve(this.frames.splice(idx, 1)[0] as ServerFrameOf<T>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}; got ${this.frames.map((f) => f.type).join(",")}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          const i = this.frames.indexOf(f);
          if (i >= 0) this.frames.splice(i, 1);
          resolve(f as ServerFrameOf<T>);
        },
      });
    });
  }

  /** Sends a frame with a fresh ref and waits for the reply of `type` (or an error with that ref). */
  async request<T extends ServerFrame["type"]>(frame: Record<string, unknown>, type: T): Promise<ServerFrameOf<T>> {
    const ref = this.ref();
    this.send({ ...frame, ref });
    const reply = await Promise.race([
      this.next(type, (f) => (f as { ref?: string }).ref === ref),
      this.next("error", (f) => f.ref === ref).then((e) => {
        throw new Error(`${e.code}: ${e.message}`);
      }),
    ]);
    return reply as ServerFrameOf<T>;
  }

  async sendMessage(room: string, body: string, clientId: string = crypto.randomUUID()) {
    return this.request({ type: "send", room, body, clientId }, "ack");
  }

  /** Collects frames of a type received so far (and removes them). */
  drain<T extends ServerFrame["type"]>(type: T): ServerFrameOf<T>[] {
    const out = this.frames.filter((f) => f.type === type) as ServerFrameOf<T>[];
    for (const f of out) this.frames.splice(this.frames.indexOf(f), 1);
    return out;
  }

  waitClose(timeoutMs = 10_000): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("socket did not close")), timeoutMs);
      this.closeWaiters.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
