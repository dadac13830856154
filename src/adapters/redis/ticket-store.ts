import type { TicketStore } from "../../ports/index.ts";
import type { RedisClient } from "./connection.ts";

/** Tickets any instance can redeem (the load balancer may send the upgrade elsewhere); GETDEL makes them single-use. */
export class RedisTicketStore implements TicketStore {
  constructor(private redis: RedisClient, private prefix = "ticket:") {}

  async put(ticket: string, value: string, ttlMs: number) {
    await this.redis.set(this.prefix + ticket, value, { expiration: { type: "PX", value: ttlMs } });
  }
  async take(ticket: string) {
    return this.redis.getDel(this.prefix + ticket);
  }
}
