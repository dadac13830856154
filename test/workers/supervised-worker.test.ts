/** The supervised worker host: a worker that dies is reported, restarted with backoff, and usable again. */
import { describe, expect, test } from "bun:test";
import { createLogger } from "../../src/observability/logger.ts";
import { SupervisedWorker } from "../../src/threads/supervised-worker.ts";

type In = { kind: "init"; failInit?: boolean } | { kind: "echo"; id: number } | { kind: "hold" } | { kind: "throw" } | { kind: "exit" } | { kind: "close" };
type Out = { kind: "ready" } | { kind: "fatal"; error: string } | { kind: "closed" } | { kind: "echo"; id: number };

const URL_ = new URL("../fixtures/faulty.worker.ts", import.meta.url);
const until = async (cond: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await Bun.sleep(10);
  }
};

function host(failInit = () => false) {
  const echoes: number[] = [];
  const downs: string[] = [];
  const w = new SupervisedWorker<In, Out>({
    name: "faulty",
    url: URL_,
    init: () => ({ kind: "init", failInit: failInit() }),
    onMessage: (m) => echoes.push(m.id),
    onDown: (reason) => downs.push(reason),
    log: createLogger("error"),
    restartFirstMs: 20,
    restartMaxMs: 200,
  });
  return { w, echoes, downs };
}

describe("SupervisedWorker", () => {
  for (const death of ["throw", "exit"] as const) {
    test(`a worker that dies after startup (${death}) is reported down and restarted`, async () => {
      const { w, echoes, downs } = host();
      await w.start();
      w.post({ kind: "echo", id: 1 });
      await until(() => echoes.includes(1));
      w.post({ kind: death });
      await until(() => downs.length === 1);
      expect(downs[0]).toContain("faulty worker stopped");
      await until(() => w.isUp);
      expect(w.status()).toMatchObject({ up: true, restarts: 1, downSince: null });
      expect(w.post({ kind: "echo", id: 2 })).toBe(true);
      await until(() => echoes.includes(2));
      await w.close({ kind: "close" });
    });
  }

  test("while down nothing is accepted; a kill is a death like any other", async () => {
    const { w, downs } = host();
    await w.start();
    w.post({ kind: "hold" });
    w.kill();
    await until(() => downs.length === 1);
    expect(w.status().up).toBe(false);
    expect(w.status().downSince).toBeNumber();
    expect(w.post({ kind: "echo", id: 3 })).toBe(false);
    await until(() => w.isUp);
    await w.close({ kind: "close" });
  });

  test("restarts that fail keep backing off until one succeeds", async () => {
    let failing = false;
    const { w } = host(() => failing);
    await w.start();
    failing = true;
    w.post({ kind: "exit" });
    await Bun.sleep(300); // several failed restarts (20, 40, 80, 160 ms)
    expect(w.status().up).toBe(false);
    failing = false;
    await until(() => w.isUp);
    expect(w.status().restarts).toBe(1);
    await w.close({ kind: "close" });
  });

  test("a failure during the first start rejects start() and is not restarted", async () => {
    const { w, downs } = host(() => true);
    await expect(w.start()).rejects.toThrow(/faulty: cannot open/);
    await Bun.sleep(100);
    expect(downs).toEqual([]);
    expect(w.status()).toMatchObject({ up: false, restarts: 0 });
  });

  test("after close the worker is not restarted", async () => {
    const { w, downs } = host();
    await w.start();
    await w.close({ kind: "close" });
    await Bun.sleep(100);
    expect(downs).toEqual([]);
    expect(w.post({ kind: "echo", id: 4 })).toBe(false);
  });
});
