import type { Server } from "bun";
import type { Notifier } from "../domain/notifier.ts";
import type { ChatMetrics } from "../observability/metrics.ts";
import { BROADCAST, type BusTopic, type ClusterBus, type ClusterEnvelope, type MembershipOp } from "../ports/index.ts";
import { CLOSE_CODES, type ServerFrame, type ServerFrameOf } from "../protocol/index.ts";
import { topics, type ChatSocket } from "./socket-data.ts";
import { UpdateCoalescer } from "./update-coalescer.ts";

/**
 * How long a join waits for the bus subscription. Past it the join goes ahead: the subscription
 * completes when the bus is back, and what was missed meanwhile is recovered with `resume`.
 */
const SUBSCRIBE_WAIT_MS = 3000;

/**
 * Local fan-out through Bun topics, plus the bus for other instances. Every envelope is applied
 * locally first and then handed to the bus, so local delivery never waits on the network.
 *
 * Routing: this instance subscribes on the bus to exactly the topics its sockets hold — `r:<room>`
 * for every room a local socket receives, `u:<user>` for every user with a local socket — counted
 * here, so the bus subscribes on the first socket and unsubscribes after the last. Joins (and
 * `ready`) wait until the subscription is in place, so no message sent after the answer is missed.
 */
export class RealtimeHub implements Notifier {
  private server: Server<unknown> | null = null;
  private byUser = new Map<string, Set<ChatSocket>>();
  private bySession = new Map<string, Set<ChatSocket>>();
  /** Room topics each live socket receives; a socket is live from `add` until `remove`. */
  private roomsOf = new Map<ChatSocket, Set<string>>();
  /** Live sockets per room topic. */
  private roomRefs = new Map<string, number>();
  /**
   * Envelopes for one user are applied in order, each after the previous one finished: a room
   * added to the user's sockets is subscribed before the `room.added` that follows is delivered.
   */
  private userQueue = new Map<string, Promise<void>>();
  /** Changes to messages, from this instance and others, merged per room before they reach sockets. */
  private updates = new UpdateCoalescer((topic, frame) => this.server?.publish(topic, frame));

  constructor(private bus: ClusterBus, private metrics: ChatMetrics) {
    bus.onEnvelope((topic, e) => {
      this.metrics.busReceived.inc();
      this.apply(topic, e);
    });
  }

  attach(server: Server<unknown>) {
    this.server = server;
  }

  /** Registers a socket and starts routing its user's events from other instances here. */
  add(ws: ChatSocket) {
    const { userId, sessionId } = ws.data.principal;
    this.roomsOf.set(ws, new Set());
    addTo(this.bySession, sessionId, ws);
    addTo(this.byUser, userId, ws);
    ws.subscribe(topics.user(userId));
    void this.bus.subscribe(topics.user(userId));
  }

  remove(ws: ChatSocket) {
    const { userId, sessionId } = ws.data.principal;
    for (const topic of this.roomsOf.get(ws) ?? []) this.release(topic);
    this.roomsOf.delete(ws);
    removeFrom(this.bySession, sessionId, ws);
    if (removeFrom(this.byUser, userId, ws)) this.bus.unsubscribe(topics.user(userId));
  }

  /**
   * The socket receives the rooms; resolves once their messages and the user's events from other
   * instances reach this one.
   */
  joinRooms(ws: ChatSocket, rooms: string[]): Promise<void> {
    const held = this.roomsOf.get(ws);
    if (!held) return Promise.resolve(); // closed meanwhile: nothing to hold
    const subscribed = [this.bus.subscribe(topics.user(ws.data.principal.userId))];
    for (const room of rooms) {
      const topic = topics.room(room);
      if (!held.has(topic)) {
        held.add(topic);
        ws.subscribe(topic);
        this.roomRefs.set(topic, (this.roomRefs.get(topic) ?? 0) + 1);
      }
      // Also for a socket already in the room: the first joiner's subscription may still be on its way.
      subscribed.push(this.bus.subscribe(topic));
    }
    return this.bounded(Promise.all(subscribed));
  }

  leaveRoom(ws: ChatSocket, room: string) {
    const topic = topics.room(room);
    ws.unsubscribe(topic);
    if (this.roomsOf.get(ws)?.delete(topic)) this.release(topic);
  }

  /** Whether the socket receives the room (membership was checked when it started to). */
  inRoom(ws: ChatSocket, room: string): boolean {
    return this.roomsOf.get(ws)?.has(topics.room(room)) ?? false;
  }

  /** Open sockets of the user on this instance. */
  socketsOf(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  get socketCount(): number {
    return this.roomsOf.size;
  }

  toRoom(room: string, frame: ServerFrame) {
    this.emit(topics.room(room), frameEnvelope(frame));
  }
  toUser(userId: string, frame: ServerFrame) {
    this.emit(topics.user(userId), frameEnvelope(frame));
  }
  membership(userId: string, room: string, op: MembershipOp) {
    this.emit(topics.user(userId), { kind: "membership", userId, room, op });
  }
  sessionRevoked(sessionId: string) {
    this.emit(BROADCAST, { kind: "session.revoked", sessionId });
  }

  private emit(topic: BusTopic, e: ClusterEnvelope) {
    this.apply(topic, e);
    this.bus.publish(topic, e);
  }

  private apply(topic: BusTopic, e: ClusterEnvelope) {
    switch (e.kind) {
      case "frame":
        if (topic.startsWith("u:")) return this.inUserOrder(topic.slice(2), () => this.deliver(topic, e));
        return this.deliver(topic, e);
      case "membership":
        return this.inUserOrder(e.userId, () => {
          const sockets = [...(this.byUser.get(e.userId) ?? [])];
          if (e.op !== "add") for (const ws of sockets) ws.data.dmPostable?.delete(e.room);
          if (e.op === "read-only") return;
          if (e.op === "remove") return sockets.forEach((ws) => this.leaveRoom(ws, e.room));
          return Promise.all(sockets.map((ws) => this.joinRooms(ws, [e.room]))).then(() => {});
        });
      case "session.revoked":
        for (const ws of this.bySession.get(e.sessionId) ?? []) ws.close(CLOSE_CODES.sessionRevoked, "session revoked");
        return;
    }
  }

  private deliver(topic: string, e: ClusterEnvelope & { kind: "frame" }) {
    if (!this.server) return;
    if (e.frameType === "updated") return this.updates.add(topic, JSON.parse(e.frame) as ServerFrameOf<"updated">);
    // Held changes of the room go first: nothing of the room overtakes them.
    this.updates.flush(topic);
    this.server.publish(topic, e.frame);
    if (e.frameType === "message") this.metrics.messagesOut.inc({}, this.server.subscriberCount(topic));
  }

  /** Runs the step now if nothing of this user's is waiting, else after what is. */
  private inUserOrder(userId: string, step: () => void | Promise<void>) {
    const waiting = this.userQueue.get(userId);
    const result = waiting ? waiting.then(step) : step();
    if (!result) return;
    const tail = result.catch(() => {});
    this.userQueue.set(userId, tail);
    void tail.then(() => {
      if (this.userQueue.get(userId) === tail) this.userQueue.delete(userId);
    });
  }

  private release(topic: string) {
    const left = (this.roomRefs.get(topic) ?? 1) - 1;
    if (left > 0) return void this.roomRefs.set(topic, left);
    this.roomRefs.delete(topic);
    this.bus.unsubscribe(topic);
  }

  private bounded(subscribed: Promise<unknown>): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS)));
    return Promise.race([subscribed.then(() => {}), timeout]).finally(() => clearTimeout(timer));
  }
}

/** Serialised once, for local sockets and for every other instance alike. */
const frameEnvelope = (frame: ServerFrame): ClusterEnvelope => ({ kind: "frame", frameType: frame.type, frame: JSON.stringify(frame) });

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V) {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

/** Removes the value; true when it was the key's last. */
function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean {
  const set = map.get(key);
  if (!set?.delete(value)) return false;
  if (set.size === 0) map.delete(key);
  return set.size === 0;
}
