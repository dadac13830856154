import { describe, expect, test } from "bun:test";
import type { ActivitySink, Analytics } from "../../src/ports/index.ts";
import type { ActivityDetails, ActivityEvent, ActivityType } from "../../src/protocol/index.ts";
import { uid, useFixture, type MakeFixture } from "./fixture.ts";

/** The analytics port over its activity sink: `settle` returns once emitted events are visible to reports. */
export interface AnalyticsFixture {
  sink: ActivitySink;
  analytics: Analytics;
  settle(): Promise<void>;
}

const HOUR = 3_600_000;

export function analyticsContract(name: string, make: MakeFixture<AnalyticsFixture>) {
  describe(`Analytics contract (${name})`, () => {
    const f = useFixture(make);

    test("series and totals equal the events emitted", async () => {
      const now = Date.now();
      const [r1, r2] = [uid("room"), uid("room")];
      const ev = (type: ActivityType, ago: number, user: string | null, room: string | null = null, details: ActivityDetails = {}, instance = "i1"): ActivityEvent => ({
        id: Bun.randomUUIDv7(), type, time: now - ago, user, room, instance, details,
      });
      const events: ActivityEvent[] = [
        ...Array.from({ length: 5 }, (_, i) => ev("message.sent", 2 * HOUR + i, "u1", r1, { length: 3 })),
        ...Array.from({ length: 3 }, (_, i) => ev("message.sent", 30 * 60_000 + i, "u2", r2, { length: 3 })),
        ev("message.sent", 3 * 24 * HOUR, "u3", r2), // in the week, not in the day
        ev("message.sent", 40 * 24 * HOUR, "u4", r1), // outside every range
        ev("user.signed_up", HOUR, "u1"),
        ev("user.signed_up", HOUR, "u2"),
        // Within one hour bucket: the peak is each instance's highest count, summed (2 + 4).
        ev("socket.connected", 9 * 60_000 + 3, "u1", null, { open: 1 }),
        ev("socket.connected", 9 * 60_000 + 2, "u2", null, { open: 2 }),
        ev("socket.disconnected", 9 * 60_000 + 1, "u2", null, { open: 1 }),
        ev("socket.connected", 9 * 60_000, "u3", null, { open: 4 }, "i2"),
        ev("ai.asked", 5 * 60_000, "u1", r1),
        ev("ai.answered", 5 * 60_000, "bot:ai", r1, { latencyMs: 100 }),
        ev("ai.failed", 5 * 60_000, "bot:ai", r1, { latencyMs: 300 }),
        ev("frame.rejected", 60_000, "u1", null, { code: "bad_request" }),
        ev("frame.rejected", 60_000, "u1", null, { code: "bad_request" }),
        ev("frame.rejected", 60_000, "u2", null, { code: "rate_limited" }),
      ];
      for (const e of events) f().sink.emit(e);
      await f().settle();
      const day = await f().analytics.report("24h", now);
      expect(day.bucket).toBe("hour");
      expect(day.totals).toEqual({
        messages: 8, activeUsers: 2, dau: 2, wau: 3, peakConnections: 6, signups: 2,
        aiRequests: 1, aiAnswered: 1, aiFailed: 1, aiLatencyMsAvg: 200, aiLatencyMsMax: 300,
      });
      expect(day.topRooms).toEqual([{ room: r1, messages: 5 }, { room: r2, messages: 3 }]);
      expect(day.rejectedFrames).toEqual([{ key: "bad_request", n: 2 }, { key: "rate_limited", n: 1 }]);
      expect(day.eventsByType.find((e) => e.key === "message.sent")?.n).toBe(8);
      expect(day.series.messages.reduce((s, p) => s + p.n, 0)).toBe(8);
      const hourOf = (t: number) => Math.floor(t / HOUR) * HOUR;
      expect(day.series.messages.find((p) => p.t === hourOf(now - 2 * HOUR - 4))?.n).toBe(5);
      expect(day.series.activeUsers.find((p) => p.t === hourOf(now - 30 * 60_000))?.n).toBe(1);
      const week = await f().analytics.report("7d", now);
      expect(week.bucket).toBe("day");
      expect(week.totals.messages).toBe(9);
      expect(week.totals.activeUsers).toBe(3);
      expect((await f().analytics.report("30d", now)).totals.messages).toBe(9);
    }, 60_000);
  });
}
