import type { ServerFrame } from "../protocol/index.ts";
import type { Lifecycle } from "./lifecycle.ts";

/** A member's live sockets start or stop receiving a room, or lose the right to post in a DM. */
export type MembershipOp = "add" | "remove" | "read-only";

/**
 * What instances tell each other. Local delivery never goes through the bus: the core publishes to
 * its own sockets and hands the same envelope to the bus for the other instances.
 */
export type ClusterEnvelope =
  | { kind: "room"; room: string; frame: ServerFrame }
  | { kind: "user"; userId: string; frame: ServerFrame }
  | { kind: "membership"; userId: string; room: string; op: MembershipOp }
  | { kind: "session.revoked"; sessionId: string };

/**
 * Carries envelopes to every other instance. At-most-once: an envelope may be lost (e.g. during a
 * reconnect); clients recover messages through `resume`. Subscriptions survive reconnects.
 */
export interface ClusterBus extends Lifecycle {
  publish(envelope: ClusterEnvelope): void;
  onEnvelope(handler: (envelope: ClusterEnvelope) => void): void;
}
