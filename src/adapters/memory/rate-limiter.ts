import type { Bucket, LocalRateLimiter } from "../../ports/index.ts";

/**
 * In-process token buckets; buckets are swept once they would be full again, so keys don't
 * accumulate and a slow bucket (e.g. 30 per hour) is not reset early by the sweep.
 */
export class MemoryRateLimiter implements LocalRateLimiter {
  private buckets = new Map<string, { tokens: number; at: number; fullAt: number }>();
  private sweeper: ReturnType<typeof setInterval> | null = null;

  async start() {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref?.();
  }
  async close() {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  async take(key: string, bucket: Bucket, cost = 1) {
    return this.takeNow(key, bucket, cost);
  }

  /** Synchronous variant for the socket hot path. */
  takeNow(key: string, { capacity, refillPerSec }: Bucket, cost = 1): boolean {
    const now = performance.now();
    const b = this.buckets.get(key) ?? { tokens: capacity, at: now, fullAt: now };
    b.tokens = Math.min(capacity, b.tokens + ((now - b.at) / 1000) * refillPerSec);
    b.at = now;
    this.buckets.set(key, b);
    const ok = b.tokens >= cost;
    if (ok) b.tokens -= cost;
    b.fullAt = now + ((capacity - b.tokens) / refillPerSec) * 1000;
    return ok;
  }

  private sweep() {
    const now = performance.now();
    for (const [k, b] of this.buckets) if (b.fullAt <= now) this.buckets.delete(k);
  }
}
