/** The in-process token buckets: a slow (hourly) budget is not handed back early by the idle sweep. */
import { expect, test } from "bun:test";
import { MemoryRateLimiter } from "../../src/adapters/memory/rate-limiter.ts";

test("sweeping idle buckets never refills an hourly budget before its time", async () => {
  const limiter = new MemoryRateLimiter();
  const hourly = { capacity: 2, refillPerSec: 2 / 3600 };
  expect(await limiter.take("k", hourly)).toBe(true);
  expect(await limiter.take("k", hourly)).toBe(true);
  expect(await limiter.take("k", hourly)).toBe(false);
  // The sweep runs every minute; a bucket still refilling must survive it.
  (limiter as unknown as { sweep(): void }).sweep();
  expect(await limiter.take("k", hourly)).toBe(false);
  // A bucket that is full again is dropped, and a dropped bucket starts full.
  const fast = { capacity: 1, refillPerSec: 1000 };
  expect(await limiter.take("f", fast)).toBe(true);
  await Bun.sleep(5);
  (limiter as unknown as { sweep(): void }).sweep();
  expect(await limiter.take("f", fast)).toBe(true);
});
