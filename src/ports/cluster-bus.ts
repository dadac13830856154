import type { ServerFrame } from "../protocol/index.ts";
import type { Lifecycle } from "./lifecycle.ts";

/** A member's live sockets start or stop receiving a room, or lose the right to post in a DM. */
export type MembershipOp = "add" | "remove" | "read-only";

/**
 * What instances tell each other. A frame travels already serialised, as the clients will receive
 * it: the receiving instance hands it to its sockets without parsing or re-serialising it.
 */
export type ClusterEnvelope =
  | { kind: "frame"; frameType: ServerFrame["type"]; frame: string }
  | { kind: "membership"; userId: string; room: string; op: MembershipOp }
  | { kind: "session.revoked"; sessionId: string };

/**
 * Where an envelope goes: a local fan-out topic (`r:<room>`, `u:<user>`, the same names as the
 * socket topics), or every instance (`BROADCAST`, for rare control events).
 */
export type BusTopic = string;
export const BROADCAST: BusTopic = "*";

/**
 * Carries envelopes to the other instances that subscribed to a topic (an instance subscribes to
 * the topics its local sockets need). Local delivery never goes through the bus.
 *
 * Guarantees:
 * - at-most-once: an envelope may be lost (e.g. while a connection reconnects); clients recover
 *   messages with `resume`;
 * - envelopes of one publisher to one topic arrive in publish order;
 * - an instance never receives its own envelopes;
 * - once `subscribe` resolves, every envelope published to the topic afterwards arrives (until
 *   `unsubscribe`); subscriptions survive reconnects. Both calls are idempotent and may interleave
 *   freely: the last call for a topic wins.
 */
export interface ClusterBus extends Lifecycle {
  publish(topic: BusTopic, envelope: ClusterEnvelope): void;
  subscribe(topic: BusTopic): Promise<void>;
  unsubscribe(topic: BusTopic): void;
  /** One handler, set once by the core before `start`. */
  onEnvelope(handler: (topic: BusTopic, envelope: ClusterEnvelope) => void): void;
}
