import type { Lifecycle } from "./lifecycle.ts";

export interface Bucket {
  capacity: number;
  refillPerSec: number;
}

/** Token buckets shared by every instance. `take` is atomic per key. */
export interface RateLimiter extends Lifecycle {
  /** Takes `cost` tokens when available; false (and nothing taken) otherwise. */
  take(key: string, bucket: Bucket, cost?: number): Promise<boolean>;
}

/** Buckets kept by this instance only (e.g. the per-instance send budget): answered without waiting. */
export interface LocalRateLimiter extends RateLimiter {
  takeNow(key: string, bucket: Bucket, cost?: number): boolean;
}
