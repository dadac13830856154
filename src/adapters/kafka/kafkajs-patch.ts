/**
 * kafkajs 2.2.4 (unmaintained) schedules its first throttle check with `throttledUntil - Date.now()`
 * while `throttledUntil` is still -1: a negative timeout, which Bun reports on stderr as a
 * TimeoutNegativeWarning for every connection (not a JSON log line). Same behaviour, clamped at 0.
 */
// @ts-expect-error kafkajs ships no types for its internals
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";

interface Queue {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

const CHECK_PENDING_REQUESTS_INTERVAL = 10;

(RequestQueue as { prototype: { scheduleCheckPendingRequests(this: Queue): void } }).prototype.scheduleCheckPendingRequests =
  function (this: Queue) {
    let scheduleAt = this.throttledUntil - Date.now();
    if (this.throttleCheckTimeoutId) return;
    if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, Math.max(0, scheduleAt));
  };
