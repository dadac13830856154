import type { WebSocketHandler } from "bun";
import type { ChatService, ComposedMessage } from "../domain/chat-service.ts";
import { DomainError } from "../domain/errors.ts";
import type { PresenceService } from "../domain/presence-service.ts";
import type { RoomService } from "../domain/room-service.ts";
import type { TypingService } from "../domain/typing-service.ts";
import { NO_ACTIVITY, type ActivityRecorder } from "../domain/activity.ts";
import { errorFields, type Logger } from "../observability/logger.ts";
import type { ChatMetrics } from "../observability/metrics.ts";
import type { Bucket, LocalRateLimiter } from "../ports/index.ts";
import { CLOSE_CODES, clientFrameSchema, type ClientFrame, type ErrorCode, type ServerFrame } from "../protocol/index.ts";
import { dmParticipants } from "../domain/ids.ts";
import type { RealtimeHub } from "./hub.ts";
import type { ChatSocket, SocketData } from "./socket-data.ts";

export interface GatewayDeps {
  hub: RealtimeHub;
  chat: ChatService;
  rooms: RoomService;
  presence: PresenceService;
  typing: TypingService;
  sendLimiter: LocalRateLimiter;
  metrics: ChatMetrics;
  log: Logger;
  sendBucket: Bucket;
  heartbeatMs: number;
  /** Open sockets per user on this instance; one more is closed with CLOSE_CODES.tooManySockets. */
  socketsPerUser: number;
  /** Rooms in `ready`; the rest are paged with `rooms` frames. */
  readyRooms: number;
  /** Checks a message before it is stored (e.g. `/ai` prompt limits); throws a DomainError to refuse it. */
  admit?: (me: SocketData["principal"], body: string) => Promise<void> | undefined;
  activity?: ActivityRecorder;
}

type ChangeFrame = Extract<ClientFrame, { type: "edit" | "delete" | "react" }>;

const isDmRoom = (room: string) => dmParticipants(room) !== null;

const send = (ws: ChatSocket, frame: ServerFrame) => {
  if (!ws.data.closed) ws.send(JSON.stringify(frame));
};

/** The `/ws` protocol: validates every frame, enforces membership and limits, dispatches in order. */
export class Gateway {
  private activity: ActivityRecorder;
  constructor(private d: GatewayDeps) {
    this.activity = d.activity ?? NO_ACTIVITY;
  }

  handlers(): Pick<WebSocketHandler<SocketData>, "open" | "message" | "close"> {
    return {
      open: (ws) => {
        ws.data.busy++;
        ws.data.queue = this.opened(ws)
          .catch((err) => {
            // A store that did not answer is an overload to back off from, not a server fault.
            if (err instanceof DomainError && err.code === "unavailable") {
              this.d.log.warn("socket open refused: storage unavailable", errorFields(err));
              return ws.close(CLOSE_CODES.tryAgainLater, "try again later");
            }
            this.d.log.error("socket open failed", errorFields(err));
            ws.close(CLOSE_CODES.internalError, "internal error");
          })
          .finally(() => ws.data.busy--);
      },
      message: (ws, raw) => {
        const frame = this.parse(ws, raw);
        if (!frame) return;
        // In arrival order: a send runs straight away when nothing earlier is still running (the
        // common case finishes synchronously); otherwise, and for every other frame, after the rest.
        if (frame.type === "send" && ws.data.busy === 0) {
          let running: void | Promise<void>;
          try {
            running = this.sendFrame(ws, frame);
          } catch (err) {
            return this.fail(ws, frame.ref, err);
          }
          if (running) this.track(ws, running, frame.ref);
          return;
        }
        this.track(ws, ws.data.queue.then(() => this.dispatch(ws, frame)), frame.ref);
      },
      close: (ws) => {
        ws.data.closed = true;
        this.d.hub.remove(ws);
        const { userId, username } = ws.data.principal;
        this.activity.record("socket.disconnected", userId, null, { open: this.d.hub.socketCount });
        void ws.data.queue
          .then(() => this.d.presence.disconnected(userId, ws.data.connId))
          .catch((err) => this.d.log.warn("presence update failed", errorFields(err)));
        for (const topic of ws.subscriptions) {
          if (topic.startsWith("r:")) this.d.typing.stopped(topic.slice(2), userId, username);
        }
      },
    };
  }

  private async opened(ws: ChatSocket) {
    const { userId, username } = ws.data.principal;
    this.d.hub.add(ws);
    if (this.d.hub.socketsOf(userId) > this.d.socketsPerUser) {
      // Counted on this instance; the client may retry later (after closing another tab).
      return ws.close(CLOSE_CODES.tooManySockets, "too many connections for this user");
    }
    this.activity.record("socket.connected", userId, null, { open: this.d.hub.socketCount });
    // `ready` stays small however many rooms the user has: the newest page, while the socket
    // receives every room. It promises every event from here on, so the routes from other
    // instances come first.
    const page = await this.d.rooms.page(userId, undefined, this.d.readyRooms);
    await this.d.hub.joinRooms(ws, page.roomIds);
    send(ws, { type: "ready", user: { id: userId, username }, rooms: page.rooms, roomsNext: page.next, heartbeatMs: this.d.heartbeatMs });
    await this.d.presence.connected(userId, ws.data.connId);
  }

  private parse(ws: ChatSocket, raw: string | Buffer): ClientFrame | null {
    let json: unknown;
    try {
      json = JSON.parse(typeof raw === "string" ? raw : raw.toString("utf8"));
    } catch {
      this.reject(ws, undefined, "bad_request", "frame is not valid JSON");
      return null;
    }
    const parsed = clientFrameSchema.safeParse(json);
    if (!parsed.success) {
      const ref = typeof (json as { ref?: unknown })?.ref === "string" ? (json as { ref: string }).ref : undefined;
      const issue = parsed.error.issues[0];
      this.reject(ws, ref, "bad_request", issue ? `${issue.path.join(".") || "frame"}: ${issue.message}` : "invalid frame");
      return null;
    }
    return parsed.data;
  }

  /**
   * A send to a room this socket already posts in, within its budget, finishes synchronously here:
   * no await, so no promise per frame on the hot path. Anything that must look something up returns
   * a promise, and later frames of the socket wait for it (see `message`).
   */
  private sendFrame(ws: ChatSocket, f: Extract<ClientFrame, { type: "send" }>): void | Promise<void> {
    if (!this.canPostNow(ws, f.room)) return this.assertCanPost(ws, f.room).then(() => this.sendChecked(ws, f));
    return this.sendChecked(ws, f);
  }

  private sendChecked(ws: ChatSocket, f: Extract<ClientFrame, { type: "send" }>): void | Promise<void> {
    const me = ws.data.principal;
    if (!this.d.sendLimiter.takeNow(`send:${me.userId}`, this.d.sendBucket)) {
      return this.reject(ws, f.ref, "rate_limited", "sending too fast, slow down");
    }
    const admitting = this.d.admit?.(me, f.body);
    if (admitting) return admitting.then(() => this.store(ws, f));
    return this.store(ws, f);
  }

  /**
   * Hands the message to the log; the ack follows once it is durable. A message that refers to
   * others (reply, mentions, files) is looked up first, and later frames of the socket wait for
   * that (not for durability), so a socket's messages keep their order.
   */
  private store(ws: ChatSocket, f: Extract<ClientFrame, { type: "send" }>): void | Promise<void> {
    const me = ws.data.principal;
    const options = { ...(f.replyTo ? { replyTo: f.replyTo } : {}), ...(f.attachments ? { attachmentIds: f.attachments } : {}) };
    const composed = this.d.chat.compose(me, f.room, f.body, f.clientId, options);
    if (composed instanceof Promise) return composed.then((c) => this.commit(ws, f, c));
    this.commit(ws, f, composed);
  }

  private commit(ws: ChatSocket, f: Extract<ClientFrame, { type: "send" }>, composed: ComposedMessage) {
    const me = ws.data.principal;
    const started = performance.now();
    this.d.metrics.messagesIn.inc();
    this.d.typing.stopped(f.room, me.userId, me.username);
    // Not awaited: later frames of this socket need not wait for durability.
    this.d.chat.commit(composed).then(
      ({ message, duplicate }) => {
        this.d.metrics.ackLatency.observe((performance.now() - started) / 1000);
        if (f.ref) send(ws, { type: "ack", ref: f.ref, room: f.room, id: message.id, seq: message.seq, duplicate });
      },
      (err) => this.fail(ws, f.ref, err),
    );
  }

  /**
   * Edit, delete, react: posting rights and the send budget as for a send. Later frames of the
   * socket wait until the change is durable, so a socket's changes apply in the order it sent them
   * (an edit then a delete never finds the message gone).
   */
  private async changeFrame(ws: ChatSocket, f: ChangeFrame): Promise<void> {
    await this.assertCanPost(ws, f.room);
    const me = ws.data.principal;
    if (!this.d.sendLimiter.takeNow(`send:${me.userId}`, this.d.sendBucket)) {
      return this.reject(ws, f.ref, "rate_limited", "sending too fast, slow down");
    }
    const ack = await (f.type === "edit"
      ? this.d.chat.edit(me, f.room, f.id, f.body, f.clientId)
      : f.type === "delete"
        ? this.d.chat.delete(me, f.room, f.id)
        : this.d.chat.react(me, f.room, f.id, f.emoji, f.on));
    if (f.ref) send(ws, { type: "ack", ref: f.ref, room: f.room, ...ack });
  }

  /** Runs in arrival order per socket. A send only waits here until it is handed to the log. */
  private async dispatch(ws: ChatSocket, f: ClientFrame): Promise<void> {
    const me = ws.data.principal;
    switch (f.type) {
      case "ping":
        return send(ws, { type: "pong", ref: f.ref, ts: Date.now() });
      case "rooms": {
        const page = await this.d.rooms.page(me.userId, f.after, f.limit ?? this.d.readyRooms);
        return send(ws, { type: "rooms", ref: f.ref, rooms: page.rooms, next: page.next });
      }
      case "join": {
        const room = await this.d.rooms.join(me, f.room);
        await this.d.hub.joinRooms(ws, [f.room]);
        return send(ws, { type: "joined", ref: f.ref, room });
      }
      case "leave":
        this.d.hub.leaveRoom(ws, f.room);
        return send(ws, { type: "left", ref: f.ref, room: f.room });
      case "dm.open": {
        const room = await this.d.rooms.openDm(me, f.userId);
        await this.d.hub.joinRooms(ws, [room.id]);
        return send(ws, { type: "dm.opened", ref: f.ref, room });
      }
      case "send":
        return this.sendFrame(ws, f);
      case "edit":
      case "delete":
      case "react":
        return this.changeFrame(ws, f);
      case "typing":
        await this.assertCanPost(ws, f.room);
        return this.d.typing.typing(f.room, me.userId, me.username, f.on);
      case "history": {
        await this.assertMember(ws, f.room);
        if (f.around !== undefined && f.before !== undefined) return this.reject(ws, f.ref, "bad_request", "use either before or around");
        const page = f.around !== undefined ? await this.d.chat.around(f.room, f.around, f.limit ?? 50) : await this.d.chat.history(f.room, f.before, f.limit ?? 50);
        return send(ws, { type: "history", ref: f.ref, room: f.room, ...page });
      }
      case "resume": {
        await this.assertMember(ws, f.room);
        const page = await this.d.chat.resume(f.room, f.afterSeq, f.limit ?? 200);
        return send(ws, { type: "resumed", ref: f.ref, room: f.room, ...page });
      }
      case "read": {
        await this.assertMember(ws, f.room);
        await this.d.chat.markRead(f.room, me.userId, f.seq);
        return;
      }
    }
  }

  /** Frames after this one wait for it; `busy` counts what is still running. */
  private track(ws: ChatSocket, running: Promise<void>, ref: string | undefined) {
    ws.data.busy++;
    ws.data.queue = running.catch((err) => this.fail(ws, ref, err)).finally(() => ws.data.busy--);
  }

  /** Subscribed means member: membership changes (un)subscribe live sockets on every instance. */
  private async assertMember(ws: ChatSocket, room: string) {
    if (this.d.hub.inRoom(ws, room)) return;
    if (!(await this.d.rooms.isMember(room, ws.data.principal.userId))) {
      throw new DomainError("forbidden", "not a member of this room");
    }
    await this.d.hub.joinRooms(ws, [room]);
  }

  /** Members post; in a DM only while friends. The answer is cached per socket until they unfriend (see the hub). */
  /** Known without a lookup: this socket is in the room and, for a DM, was allowed to post there. */
  private canPostNow(ws: ChatSocket, room: string): boolean {
    return this.d.hub.inRoom(ws, room) && (!isDmRoom(room) || ws.data.dmPostable?.has(room) === true);
  }

  private async assertCanPost(ws: ChatSocket, room: string) {
    await this.assertMember(ws, room);
    if (!isDmRoom(room) || ws.data.dmPostable?.has(room)) return;
    await this.d.rooms.assertCanPost(room, ws.data.principal.userId);
    (ws.data.dmPostable ??= new Set()).add(room);
  }

  private fail(ws: ChatSocket, ref: string | undefined, err: unknown) {
    if (err instanceof DomainError) return this.reject(ws, ref, err.code, err.message);
    this.d.log.error("frame failed", errorFields(err));
    this.reject(ws, ref, "unavailable", "could not complete the request, retry later");
  }

  private reject(ws: ChatSocket, ref: string | undefined, code: ErrorCode, message: string) {
    this.d.metrics.framesRejected.inc({ code });
    this.activity.record("frame.rejected", ws.data.principal.userId, null, { code });
    send(ws, { type: "error", ref, code, message });
  }
}
