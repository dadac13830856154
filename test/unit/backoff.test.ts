import { expect, test } from "bun:test";
import { backoffMs } from "../../src/domain/backoff.ts";

test("backoff doubles from the first delay up to the cap; jitter stays within 50–100 % of it", () => {
  expect([0, 1, 2, 3, 10].map((a) => backoffMs(a))).toEqual([500, 1000, 2000, 4000, 10_000]);
  expect(backoffMs(3, { firstMs: 50, maxMs: 2000 })).toBe(400);
  expect(backoffMs(40, { firstMs: 50, maxMs: 2000 })).toBe(2000);
  for (let i = 0; i < 200; i++) {
    const ms = backoffMs(2, { firstMs: 200, jitter: true });
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThanOrEqual(800);
  }
});
