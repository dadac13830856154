import type { Lifecycle } from "./lifecycle.ts";

/** Single-use, short-lived values (WebSocket tickets). `take` returns a value at most once. */
export interface TicketStore extends Lifecycle {
  put(ticket: string, value: string, ttlMs: number): Promise<void>;
  take(ticket: string): Promise<string | null>;
}
