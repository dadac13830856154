import type { RateLimiter } from "../ports/index.ts";
import { fail } from "./errors.ts";

/** A service's spam brakes: caps (answered `conflict`) and hourly budgets (answered `rate_limited`). */
export interface Quota<Limits> {
  limiter: RateLimiter;
  limits: Limits;
}

/** Spends one from the hourly budget under `key` (a token bucket refilling `perHour` an hour). */
export async function spendHourly(limiter: RateLimiter, key: string, perHour: number, message: string): Promise<void> {
  if (!(await limiter.take(key, { capacity: perHour, refillPerSec: perHour / 3600 }))) fail("rate_limited", message);
}
