import type { Bucket, RateLimiter } from "../../ports/index.ts";
import { fail } from "../errors.ts";

export interface ThrottleLimits {
  /** Attempts per (account, address) per window before the delays grow. */
  loginMaxAttempts: number;
  loginWindowSec: number;
  /** Attempts per address per window, whatever the accounts. */
  loginAddressMaxAttempts: number;
  /** New accounts per address per hour. */
  registerMaxPerAddress: number;
}

const DAY_SEC = 86_400;
const perWindow = (capacity: number, windowSec: number): Bucket => ({ capacity, refillPerSec: capacity / windowSec });

/**
 * Brute-force brakes after OWASP's authentication guidance: attempts are counted per (account,
 * address), so a stranger's wrong passwords only slow the stranger, never lock the owner out; and
 * per address, so one address cannot spray many accounts. An account is never locked as such
 * (which would hand anyone a way to lock out its owner).
 */
export class LoginThrottle {
  /** Tiers on the same key make the delays grow: a burst, then one try per window / max, then per day. */
  private pairTiers: Bucket[];
  private address: Bucket;
  private register: Bucket;

  constructor(private limiter: RateLimiter, limits: ThrottleLimits) {
    const max = limits.loginMaxAttempts;
    this.pairTiers = [perWindow(max, limits.loginWindowSec), perWindow(max * 4, DAY_SEC)];
    this.address = perWindow(limits.loginAddressMaxAttempts, limits.loginWindowSec);
    this.register = perWindow(limits.registerMaxPerAddress, 3600);
  }

  async admitLogin(username: string, address: string): Promise<void> {
    const name = username.toLowerCase();
    for (const [i, tier] of this.pairTiers.entries()) await this.take(`login:pair:${i}:${name}:${address}`, tier, "too_many_attempts");
    await this.take(`login:ip:${address}`, this.address, "too_many_attempts");
  }

  async admitRegistration(address: string): Promise<void> {
    await this.take(`register:ip:${address}`, this.register, "rate_limited");
  }

  private async take(key: string, bucket: Bucket, code: "too_many_attempts" | "rate_limited") {
    if (await this.limiter.take(key, bucket)) return;
    const what = code === "rate_limited" ? "too many new accounts from this address" : "too many login attempts";
    // One token comes back after 1 / rate seconds: the earliest a retry can pass this bucket.
    fail(code, `${what}, try again later`, 1 / bucket.refillPerSec);
  }
}
