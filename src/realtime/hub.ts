import type { Server } from "bun";
import type { Notifier } from "../domain/notifier.ts";
import type { ChatMetrics } from "../observability/metrics.ts";
import type { ClusterBus, ClusterEnvelope, MembershipOp } from "../ports/index.ts";
import { CLOSE_CODES, type ServerFrame } from "../protocol/index.ts";
import { topics, type ChatSocket } from "./socket-data.ts";

/**
 * Local fan-out through Bun topics, plus the bus for other instances. Every envelope is applied
 * locally first and then handed to the bus, so local delivery never waits on the network.
 */
export class RealtimeHub implements Notifier {
  private server: Server<unknown> | null = null;
  private byUser = new Map<string, Set<ChatSocket>>();
  private bySession = new Map<string, Set<ChatSocket>>();

  constructor(private bus: ClusterBus, private metrics: ChatMetrics) {
    bus.onEnvelope((e) => this.apply(e));
  }

  attach(server: Server<unknown>) {
    this.server = server;
  }

  add(ws: ChatSocket) {
    addTo(this.byUser, ws.data.principal.userId, ws);
    addTo(this.bySession, ws.data.principal.sessionId, ws);
  }

  remove(ws: ChatSocket) {
    removeFrom(this.byUser, ws.data.principal.userId, ws);
    removeFrom(this.bySession, ws.data.principal.sessionId, ws);
  }

  /** Open sockets of the user on this instance. */
  socketsOf(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  get socketCount(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  toRoom(room: string, frame: ServerFrame) {
    this.emit({ kind: "room", room, frame });
  }
  toUser(userId: string, frame: ServerFrame) {
    this.emit({ kind: "user", userId, frame });
  }
  membership(userId: string, room: string, op: MembershipOp) {
    this.emit({ kind: "membership", userId, room, op });
  }
  sessionRevoked(sessionId: string) {
    this.emit({ kind: "session.revoked", sessionId });
  }

  private emit(e: ClusterEnvelope) {
    this.apply(e);
    this.bus.publish(e);
  }

  private apply(e: ClusterEnvelope) {
    switch (e.kind) {
      case "room":
        return this.publish(topics.room(e.room), e.frame);
      case "user":
        return this.publish(topics.user(e.userId), e.frame);
      case "membership":
        for (const ws of this.byUser.get(e.userId) ?? []) {
          if (e.op === "add") ws.subscribe(topics.room(e.room));
          else if (e.op === "remove") ws.unsubscribe(topics.room(e.room));
          if (e.op !== "add") ws.data.dmPostable?.delete(e.room);
        }
        return;
      case "session.revoked":
        for (const ws of this.bySession.get(e.sessionId) ?? []) ws.close(CLOSE_CODES.sessionRevoked, "session revoked");
        return;
    }
  }

  private publish(topic: string, frame: ServerFrame) {
    if (!this.server) return;
    this.server.publish(topic, JSON.stringify(frame));
    if (frame.type === "message") this.metrics.messagesOut.inc({}, this.server.subscriberCount(topic));
  }
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V) {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V) {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
