/**
 * The faults of the chaos run (issue 13). Each injects, holds the fault long enough for clients to
 * notice, and heals. Scale-out faults use the engines of scripts/engines through ctl.sh.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "../support/client.ts";
import { ctl, hang, type CtlEngine } from "../support/engine-ctl.ts";
import { sh, type Fault } from "./scenario.ts";

const HOLD_MS = 3000;

/** An engine taken down (stopped or killed) for a while, then started again. */
function outage(name: string, how: "stop" | "kill", engine: CtlEngine): Fault {
  return {
    name,
    mode: "scale-out",
    async inject() {
      await ctl(how, engine);
      await sleep(HOLD_MS);
      await ctl("start", engine);
    },
  };
}

export const FAULTS: Fault[] = [
  {
    name: "embedded: kill -9 of the server",
    mode: "embedded",
    async inject(ctx) {
      await ctx.restart(0);
    },
  },
  {
    name: "embedded: SQLite writer worker killed",
    mode: "embedded",
    async inject(ctx) {
      // The test-only hook (TEST_FAULT_HOOKS): every worker thread dies as in a crash; the
      // supervisor fails what it had in hand with `unavailable` and restarts it.
      ctx.servers[0]!.proc.kill("SIGUSR2");
      await sleep(HOLD_MS);
    },
  },
  {
    name: "embedded: disk full on the data dir",
    mode: "embedded",
    smallDisk: true,
    async inject(ctx) {
      const filler = join(ctx.dataDir, "filler");
      // Fill what is left of the tmpfs; sends then fail with `unavailable` until space returns.
      await sh(["dd", "if=/dev/zero", `of=${filler}`, "bs=1M", "count=64"]).catch(() => {});
      const rejectedBefore = ctx.clients.reduce((n, c) => n + c.rejected, 0);
      const deadline = Date.now() + 20_000;
      while (ctx.clients.reduce((n, c) => n + c.rejected, 0) === rejectedBefore && Date.now() < deadline) await sleep(100);
      await sleep(HOLD_MS);
      rmSync(filler, { force: true });
    },
  },
  {
    name: "scale-out: client network cut without a close frame",
    mode: "scale-out",
    async inject(ctx) {
      ctx.proxy.setMode("blackhole");
      await sleep(HOLD_MS + 3000); // longer than the client's dead-connection check
      ctx.proxy.setMode("pass");
    },
  },
  {
    name: "scale-out: slow-reading client",
    mode: "scale-out",
    async inject(ctx) {
      ctx.proxy.setMode("slow");
      await sleep(HOLD_MS);
      ctx.proxy.setMode("pass");
    },
  },
  outage("scale-out: Kafka broker killed and restarted", "kill", "kafka"),
  {
    name: "scale-out: Redis restarted and flushed",
    mode: "scale-out",
    async inject() {
      await ctl("stop", "redis");
      // Flushed: its append-only file goes, so it comes back empty.
      rmSync(join(process.env.ENGINES_RUN ?? "/tmp/chat-engines", "redis", "appendonlydir"), { recursive: true, force: true });
      await sleep(1000);
      await ctl("start", "redis");
    },
  },
  outage("scale-out: MongoDB-wire server stopped", "stop", "mongo"),
  {
    name: "scale-out: MongoDB-wire server hung (SIGSTOP, SIGCONT)",
    mode: "scale-out",
    async inject() {
      const resume = await hang("mongo");
      try {
        await sleep(HOLD_MS * 2);
      } finally {
        resume();
      }
    },
  },
  {
    name: "scale-out: one of two instances kill -9'd",
    mode: "scale-out",
    instances: 2,
    async inject(ctx) {
      await ctx.servers[1]!.crash();
      await sleep(HOLD_MS);
      await ctx.restart(1);
    },
  },
];

