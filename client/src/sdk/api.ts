/** REST client: access token in memory, refresh through the httpOnly cookie before it expires. */
import type {
  AnalyticsRange, AnalyticsReport, Attachment, AuthResponse, ChatMessage, Friend, PublicUser, RoomReader, RoomSummary, SearchResponse,
} from "../../../src/protocol/index.ts";

/** `GET /api/search` filters, as the search dialog sets them (times in epoch ms). */
export interface SearchParams {
  q: string;
  room?: string;
  from?: string;
  after?: number;
  before?: number;
  cursor?: string;
}

/** An upload on its way: `done` settles with the stored attachment; `abort` cancels it (done then rejects). */
export interface Upload {
  done: Promise<Attachment>;
  abort(): void;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export class Api {
  private token: string | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  user: PublicUser | null = null;
  /** Settles once the file cookie of the current token is set (or could not be). */
  fileAccess: Promise<void> = Promise.resolve();
  onSessionEnded: () => void = () => {};

  async register(username: string, password: string) {
    this.adopt(await this.call<AuthResponse>("POST", "/api/auth/register", { username, password }, false));
  }
  async login(username: string, password: string) {
    this.adopt(await this.call<AuthResponse>("POST", "/api/auth/login", { username, password }, false));
  }
  /** Restores a session from the refresh cookie (e.g. after a reload). */
  async resume(): Promise<boolean> {
    try {
      await this.refresh();
      return true;
    } catch {
      return false;
    }
  }
  async logout() {
    await this.call("POST", "/api/auth/logout", undefined).catch(() => {});
    this.end();
  }

  /** Where a file is downloaded (and, for images, its preview). Authorised by the file cookie. */
  static fileUrl = (id: string, preview = false) => `/api/files/${encodeURIComponent(id)}${preview ? "/preview" : ""}`;
  ticket = () => this.call<{ ticket: string }>("POST", "/api/auth/ws-ticket");
  /** One page of the room list, most recent first; `next` continues it. */
  conversations = (after?: string) =>
    this.call<{ conversations: RoomSummary[]; next: string | null }>("GET", `/api/conversations${after ? `?after=${encodeURIComponent(after)}` : ""}`);
  /** The whole room list, following the pages. */
  allConversations = async (): Promise<RoomSummary[]> => {
    const rooms: RoomSummary[] = [];
    let after: string | undefined;
    do {
      const page = await this.conversations(after);
      rooms.push(...page.conversations);
      after = page.next ?? undefined;
    } while (after);
    return rooms;
  };
  messages = (room: string, before?: number, limit = 50) =>
    this.call<{ messages: ChatMessage[]; nextBefore: number | null }>(
      "GET",
      `/api/conversations/${encodeURIComponent(room)}/messages?limit=${limit}${before ? `&before=${before}` : ""}`,
    );
  /** The page holding `seq` with messages on both sides; `nextAfter` is set when newer ones follow. */
  around = (room: string, seq: number, limit = 100) =>
    this.call<{ messages: ChatMessage[]; nextBefore: number | null; nextAfter?: number | null }>(
      "GET",
      `/api/conversations/${encodeURIComponent(room)}/messages?limit=${limit}&around=${seq}`,
    );
  me = () => this.call<PublicUser & { admin: boolean }>("GET", "/api/me");
  search = (p: SearchParams) => {
    const q = new URLSearchParams({ q: p.q });
    for (const k of ["room", "from", "after", "before", "cursor"] as const) if (p[k] !== undefined && p[k] !== "") q.set(k, String(p[k]));
    return this.call<SearchResponse>("GET", `/api/search?${q}`);
  };
  analytics = (range: AnalyticsRange) => this.call<AnalyticsReport>("GET", `/api/analytics?range=${range}`);
  reads = (room: string) => this.call<{ reads: RoomReader[] }>("GET", `/api/conversations/${encodeURIComponent(room)}/reads`);
  friends = () => this.call<{ friends: Friend[] }>("GET", "/api/friends");
  requests = () =>
    this.call<{ incoming: (PublicUser & { createdAt: number })[]; outgoing: (PublicUser & { createdAt: number })[] }>("GET", "/api/friends/requests");
  requestFriend = (username: string) => this.call<{ status: string }>("POST", "/api/friends/requests", { username });
  accept = (userId: string) => this.call("POST", `/api/friends/requests/${userId}/accept`);
  decline = (userId: string) => this.call("POST", `/api/friends/requests/${userId}/decline`);
  openDm = (userId: string) => this.call<RoomSummary>("POST", `/api/dms/${userId}`);
  createGroup = (name: string, members: string[]) => this.call<RoomSummary>("POST", "/api/groups", { name, members });
  // People and groups, as the app shell manages them.
  searchUsers = (q: string) => this.call<{ users: PublicUser[] }>("GET", `/api/users?q=${encodeURIComponent(q)}`);
  cancelRequest = (userId: string) => this.call("DELETE", `/api/friends/requests/${userId}`);
  unfriend = (userId: string) => this.call("DELETE", `/api/friends/${userId}`);
  groupMembers = (room: string) => this.call<{ members: Friend[] }>("GET", `/api/groups/${encodeURIComponent(room)}/members`);
  renameGroup = (room: string, name: string) => this.call("PATCH", `/api/groups/${encodeURIComponent(room)}`, { name });
  addMember = (room: string, userId: string) => this.call("POST", `/api/groups/${encodeURIComponent(room)}/members`, { userId });
  removeMember = (room: string, userId: string) => this.call("DELETE", `/api/groups/${encodeURIComponent(room)}/members/${userId}`);
  leaveRoom = (room: string) => this.call("POST", `/api/rooms/${encodeURIComponent(room)}/leave`);
  /** Drops an upload that was not sent. */
  deleteFile = (id: string) => this.call("DELETE", `/api/files/${encodeURIComponent(id)}`);

  /**
   * Streams a file to the room's uploads. XMLHttpRequest, because fetch reports no upload progress;
   * `progress` gets the bytes sent so far.
   */
  upload(room: string, file: File, progress: (sent: number) => void): Upload {
    const xhr = new XMLHttpRequest();
    const done = new Promise<Attachment>((resolve, reject) => {
      xhr.open("POST", `/api/files?room=${encodeURIComponent(room)}&name=${encodeURIComponent(file.name)}`);
      if (this.token) xhr.setRequestHeader("authorization", `Bearer ${this.token}`);
      xhr.upload.onprogress = (e) => progress(e.loaded);
      xhr.onload = () => {
        let json: { error?: { code?: string; message?: string } } & Partial<Attachment> = {};
        try {
          json = JSON.parse(xhr.responseText);
        } catch { /* an empty or non-JSON answer: the status decides */ }
        if (xhr.status >= 200 && xhr.status < 300) resolve(json as Attachment);
        else reject(new ApiError(xhr.status, json.error?.code ?? (xhr.status === 413 ? "payload_too_large" : "internal"), json.error?.message ?? xhr.statusText));
      };
      xhr.onerror = () => reject(new TypeError("network error"));
      xhr.onabort = () => reject(new DOMException("upload cancelled", "AbortError"));
      xhr.send(file);
    });
    return { done, abort: () => xhr.abort() };
  }

  private async refresh() {
    this.adopt(await this.call<AuthResponse>("POST", "/api/auth/refresh", undefined, false));
  }

  private adopt(r: AuthResponse) {
    this.token = r.accessToken;
    this.user = r.user;
    clearTimeout(this.refreshTimer);
    // Refresh a minute before expiry (or at 80% of a short lifetime).
    const inMs = Math.max(5_000, Math.min(r.expiresIn * 800, (r.expiresIn - 60) * 1000));
    this.refreshTimer = setTimeout(() => void this.refresh().catch(() => this.end()), inMs);
    // <img src> and download links cannot send the Bearer token: files also accept a short cookie,
    // renewed with every token. Without it only images and downloads fail, so a failure is not fatal.
    this.fileAccess = this.call("POST", "/api/auth/file-cookie").then(() => {}, () => {});
  }

  private end() {
    clearTimeout(this.refreshTimer);
    this.token = null;
    this.user = null;
    this.onSessionEnded();
  }

  private async call<T = unknown>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
    const res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(auth && this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return undefined as T;
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? "error", json?.error?.message ?? res.statusText);
    return json as T;
  }
}
