import type { MembershipOp } from "../ports/index.ts";
import type { ServerFrame } from "../protocol/index.ts";

/**
 * How the domain reaches connected clients, on every instance. Delivery is best-effort
 * (at-most-once); anything that must not be lost is in a store and recoverable with `resume`.
 */
export interface Notifier {
  toRoom(room: string, frame: ServerFrame): void;
  toUser(userId: string, frame: ServerFrame): void;
  /** The user's live sockets start (add) or stop (remove) receiving the room, or may no longer post in it (read-only). */
  membership(userId: string, room: string, op: MembershipOp): void;
  /** Close every socket of the session. */
  sessionRevoked(sessionId: string): void;
}
