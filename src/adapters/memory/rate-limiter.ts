import type { Bucket, LocalRateLimiter } from "../../ports/index.ts";

/** In-process token buckets; idle full buckets are swept so keys don't accumulate. */
export class MemoryRateLimiter implements LocalRateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
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
    const b = this.buckets.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + ((now - b.at) / 1000) * refillPerSec);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    return true;
  }

  private sweep() {
    const cutoff = performance.now() - 15 * 60_000;
    for (const [k, b] of this.buckets) if (b.at < cutoff) this.buckets.delete(k);
  }
}
