import type { ServerWebSocket } from "bun";
import type { Principal } from "../domain/auth/auth-service.ts";

/** What each socket carries from upgrade to close. */
export interface SocketData {
  principal: Principal;
  connId: string;
  /** Frames are dispatched in arrival order; a send's dispatch ends once it is handed to the log. */
  queue: Promise<void>;
  /** Frames still running asynchronously; a send may skip the queue only when none is. */
  busy: number;
  closed: boolean;
  /** DMs this socket has been allowed to post in (friends at the time); dropped when they unfriend. */
  dmPostable?: Set<string>;
}

export type ChatSocket = ServerWebSocket<SocketData>;

export const topics = {
  room: (id: string) => `r:${id}`,
  user: (id: string) => `u:${id}`,
};
