/**
 * npm run bench — the project against a bare Bun WebSocket server ("limit") and a Socket.IO 4 server
 * ("seed stack"), driven by the same generator, servers and generator on separate cores.
 * Flags: --quick (short steps), --skip-idle.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fanoutSvg, writeChart } from "./chart.ts";
import type { ServerKind } from "./generator/clients.ts";
import type { FanoutStep } from "./generator/fanout.ts";
import { GENERATOR_CPU, ROOT, rssKiB, runGenerator, SERVER_CPU, startServer } from "./servers.ts";
import { makeDms, makeGroups, registerUsers } from "./setup.ts";

const quick = process.argv.includes("--quick");
const ROOMS = 4, ROOM_SIZE = 50;
const RATES = quick ? [2, 8, 16] : [1, 2, 4, 8, 12, 16, 24, 32, 48];
const STEP_MS = quick ? 2000 : 4000;
const IDLE_CONNECTIONS = quick ? 1000 : 5000;
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: navigator.hardwareConcurrency, serverCpu: SERVER_CPU, generatorCpu: GENERATOR_CPU, bun: Bun.version },
};
console.log(`Servers pinned to CPU ${SERVER_CPU}, load generator to CPU ${GENERATOR_CPU} (taskset). ${quick ? "Quick run." : ""}`);

// ---------------------------------------------------------------- fan-out
const sweeps: Record<string, FanoutStep[]> = {};
let port = 4100;
for (const kind of ["bare", "project", "socketio"] as ServerKind[]) {
  const server = await startServer(kind, port++);
  let rooms = Array.from({ length: ROOMS }, (_, i) => `room-${i}`);
  let accounts: ({ token: string } | null)[] = [];
  if (kind === "project") {
    const users = await registerUsers(server.url, ROOMS * ROOM_SIZE, "fan");
    rooms = await makeGroups(server.url, users, ROOM_SIZE);
    accounts = users.map((u) => ({ token: u.token }));
  }
  const { result } = await runGenerator<{ steps: FanoutStep[] }>("fanout.ts", {
    target: { kind, url: server.url },
    rooms,
    roomSize: ROOM_SIZE,
    accounts,
    ratesPerClient: RATES,
    stepMs: STEP_MS,
  });
  sweeps[kind] = result.steps;
  await server.stop();
  console.log(`fan-out ${kind}: done`);
}
const sustained = (steps: FanoutStep[]) =>
  Math.max(0, ...steps.filter((s) => s.keptUp && s.loss === 0 && s.p99 <= 25).map((s) => s.deliveredPerSec));
results.fanout = { rooms: ROOMS, roomSize: ROOM_SIZE, stepMs: STEP_MS, sweeps, sustained: Object.fromEntries(Object.entries(sweeps).map(([k, v]) => [k, sustained(v)])) };

// ---------------------------------------------------------------- durable sends, idle memory, cold start (project)
const project = await startServer("project", port++);
const users = await registerUsers(project.url, 100, "dur");
const dms = await makeDms(project.url, users);
const { result: durable } = await runGenerator<{ ackedPerSec: number; acked: number; readableMs: number }>("durable.ts", {
  target: { kind: "project", url: project.url },
  senders: dms,
  window: 64,
  durationMs: quick ? 3000 : 6000,
});
results.durable = durable;
console.log("durable sends: done");

await project.stop();

// Idle memory on a fresh instance, so garbage from the load above does not blur the difference.
const fresh = await startServer("project", port++);
const idleUsers = await registerUsers(fresh.url, 20, "idle");
await Bun.sleep(3000);
const rssBefore = rssKiB(fresh.pid);
const idle = await runGenerator<{ open: number }>("idle.ts", { target: { kind: "project", url: fresh.url }, tokens: idleUsers.map((u) => u.token), n: IDLE_CONNECTIONS }, { untilLine: true });
await Bun.sleep(3000);
const rssAfter = rssKiB(fresh.pid);
idle.proc.kill();
await fresh.stop();

// The same for bare Bun: what the runtime itself costs per open socket.
const bare = await startServer("bare", port++);
await Bun.sleep(1000);
const bareBefore = rssKiB(bare.pid);
const bareIdle = await runGenerator<{ open: number }>("idle.ts", { target: { kind: "bare", url: bare.url }, tokens: [""], n: IDLE_CONNECTIONS }, { untilLine: true });
await Bun.sleep(3000);
const bareAfter = rssKiB(bare.pid);
bareIdle.proc.kill();
await bare.stop();
results.idle = {
  connections: idle.result.open,
  rssBeforeKiB: rssBefore,
  rssAfterKiB: rssAfter,
  perConnectionKiB: +((rssAfter - rssBefore) / idle.result.open).toFixed(2),
  bareBunPerConnectionKiB: +((bareAfter - bareBefore) / bareIdle.result.open).toFixed(2),
};
console.log("idle memory: done");

const starts: number[] = [];
for (let i = 0; i < 5; i++) {
  const s = await startServer("project", port++);
  starts.push(s.startupMs);
  await s.stop();
}
starts.sort((a, b) => a - b);
results.coldStart = { medianMs: +starts[2]!.toFixed(1), runsMs: starts.map((s) => +s.toFixed(1)) };
results.notRun = {
  scaleOut: "not run by this benchmark yet (see README)",
  crossInstance: "not run by this benchmark yet (see README)",
  aiIsolation: "covered by a behaviour test (test/ai); not measured here yet",
};

// ---------------------------------------------------------------- report
const s = results.fanout as { sustained: Record<string, number> };
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "n/a");
const rows: [string, string, string, string][] = [
  ["fan-out sustained delivered msg/s (p99 ≤ 25 ms, 0 loss)", `${s.sustained.project}`, `${ratio(s.sustained.project!, s.sustained.bare!)} (target ≥ 0.60)`, `${ratio(s.sustained.project!, s.sustained.socketio!)} (target ≥ 6)`],
  ["  bare Bun / Socket.IO sustained", `${s.sustained.bare} / ${s.sustained.socketio}`, "", ""],
  ["durable sends, acked msg/s (embedded)", `${durable.ackedPerSec}`, "target ≥ 25,000", ""],
  ["  last acked message readable after (ms)", `${durable.readableMs}`, "", ""],
  [`idle memory per authenticated connection (${IDLE_CONNECTIONS})`, `${(results.idle as { perConnectionKiB: number }).perConnectionKiB} KiB`, `bare Bun: ${(results.idle as { bareBunPerConnectionKiB: number }).bareBunPerConnectionKiB} KiB (target ≤ 4 KB)`, ""],
  ["cold start, embedded (median of 5)", `${(results.coldStart as { medianMs: number }).medianMs} ms`, "target ≤ 300 ms", ""],
];
console.log("\n| figure | project | project/bare Bun | project/Socket.IO |\n|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
console.log("\nFan-out sweep (delivered msg/s, p50/p99/max ms, loss, generator kept up):");
for (const [kind, steps] of Object.entries(sweeps)) {
  for (const st of steps) {
    console.log(`  ${kind.padEnd(8)} rate ${String(st.ratePerClient).padStart(3)}/client: ${String(st.deliveredPerSec).padStart(7)}/s  ${st.p50}/${st.p99}/${st.max} ms  loss ${st.loss}  ${st.keptUp ? "" : "(generator fell behind: not counted)"}`);
  }
}

const dir = join(ROOT, "bench/results");
mkdirSync(dir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
await Bun.write(join(dir, `${stamp}.json`), JSON.stringify(results, null, 2));
await Bun.write(join(dir, "latest.json"), JSON.stringify(results, null, 2));
const chart = await writeChart(join(dir, "fanout.svg"), join(dir, "fanout.png"), fanoutSvg(sweeps));
console.log(`\nResults: bench/results/${stamp}.json, chart: ${chart.replace(ROOT + "/", "")}`);
process.exit(0);
