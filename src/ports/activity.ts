import type { ActivityEvent } from "../protocol/index.ts";
import type { Lifecycle } from "./lifecycle.ts";

/**
 * Where activity events go. `emit` returns at once, never throws and never waits on an engine: an
 * event that cannot be delivered is buffered, parked or (when a bounded buffer overflows) counted as
 * dropped — a user's action never fails or slows because of its activity event.
 * Delivery is at-least-once where an engine is involved; consumers dedupe by event id.
 */
export interface ActivitySink extends Lifecycle {
  emit(event: ActivityEvent): void;
}
