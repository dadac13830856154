import { describe, expect, test } from "bun:test";
import { boundedPort, CallHealth } from "../../src/adapters/guard/bounded-port.ts";
import { DomainError } from "../../src/domain/errors.ts";

const store = {
  hang: () => new Promise<number>(() => {}),
  answer: async () => 42,
  refuse: async () => {
    throw new DomainError("forbidden", "no");
  },
  sync: () => 7,
};

describe("bounded ports", () => {
  test("a call that never answers becomes unavailable within the deadline; answers and refusals pass through", async () => {
    const calls = new CallHealth(60_000);
    const port = boundedPort("store", store, 50, { onFailure: (p, m) => calls.record(p, m), onSuccess: (p) => calls.recovered(p) });
    await expect(port.hang()).rejects.toMatchObject({ code: "unavailable" });
    expect((await calls.health()).ok).toBe(false);
    expect((await calls.health()).detail).toContain("store.hang");
    expect(await port.answer()).toBe(42);
    await expect(port.refuse()).rejects.toMatchObject({ code: "forbidden" });
    expect(port.sync()).toBe(7);
  });

  test("health is red while a port's latest call failed, and green again once it answers", async () => {
    const calls = new CallHealth(60_000);
    const events = { onFailure: (p: string, m: string) => calls.record(p, m), onSuccess: (p: string) => calls.recovered(p) };
    const a = boundedPort("a", store, 30, events);
    const b = boundedPort("b", store, 30, events);
    await expect(a.hang()).rejects.toBeInstanceOf(DomainError);
    await expect(b.hang()).rejects.toBeInstanceOf(DomainError);
    await a.answer();
    // b has not answered since it failed: still red, and says so.
    expect(await calls.health()).toMatchObject({ ok: false, failures: 2 });
    expect((await calls.health()).detail).toContain("b.hang");
    await b.answer();
    expect(await calls.health()).toMatchObject({ ok: true, failures: 2 });
  });
});
