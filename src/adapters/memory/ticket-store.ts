import type { TicketStore } from "../../ports/index.ts";

export class MemoryTicketStore implements TicketStore {
  private tickets = new Map<string, { value: string; expiresAt: number }>();

  async put(ticket: string, value: string, ttlMs: number) {
    const now = Date.now();
    for (const [k, t] of this.tickets) if (t.expiresAt <= now) this.tickets.delete(k);
    this.tickets.set(ticket, { value, expiresAt: now + ttlMs });
  }
  async take(ticket: string) {
    const t = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return t && t.expiresAt > Date.now() ? t.value : null;
  }
}
