/**
 * npm run bench — the project (embedded, and scale-out when the engines are up) against a bare Bun
 * WebSocket server ("limit") and a Socket.IO 4 server ("seed stack"), all driven by the same load
 * generator; servers pinned to one core, the generator to the other.
 * Flags: --quick (a short smoke run), --skip-idle, --skip-scaleout,
 * --only=bare,project,socketio,scaleout,idle,cold (run some sections; results are partial).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fanoutSvg, writeChart } from "./chart.ts";
import { missingEngines, scaleOutEnv } from "./engines.ts";
import type { FanoutStep } from "./generator/fanout.ts";
import { printReport, sustained, type Results } from "./report.ts";
import { aiIsolation, coldStart, crossInstance, drained, durable, fanout, idleMemory, populate, type Plan } from "./scenarios.ts";
import { GENERATOR_CPU, RAISED_LIMITS, ROOT, SERVER_CPU, startGenerator, startServer, type ServerName } from "./servers.ts";

const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const only = [...args].find((a) => a.startsWith("--only="))?.slice(7).split(",");
const want = (section: string) => !only || only.includes(section);
const plan: Plan = {
  quick,
  rates: quick ? [2, 8, 16] : [1, 2, 4, 8, 12, 16, 24, 32, 48],
  stepMs: quick ? 1500 : 3000,
  idleConnections: quick ? 1000 : 5000,
  durableMs: quick ? 3000 : 6000,
};
const AI_RATE = 8;
const begun = performance.now();
const elapsed = () => `${((performance.now() - begun) / 1000).toFixed(0)}s`;
const note = (s: string) => console.log(`[${elapsed()}] ${s}`);

const results: Results = {
  date: new Date().toISOString(),
  quick,
  machine: { cpus: navigator.hardwareConcurrency, serverCpu: SERVER_CPU, generatorCpu: GENERATOR_CPU, bun: Bun.version, node: Bun.spawnSync(["node", "--version"]).stdout.toString().trim() },
  raisedLimits: RAISED_LIMITS,
  fanout: { rooms: 4, roomSize: 50, stepMs: plan.stepMs, sweeps: {}, sustained: {} },
  durable: {},
  idle: {},
  notRun: {},
};
console.log(
  `Servers pinned to CPU ${SERVER_CPU}, the load generator to CPU ${GENERATOR_CPU} (taskset); engines (Redis, Kafka, FerretDB) are not pinned.\n` +
    `Per-user limits raised so they do not cap the benchmark: ${Object.entries(RAISED_LIMITS).map(([k, v]) => `${k}=${v}`).join(", ")}.\n` +
    `Project: auth, validation and durable persistence on (SQLite, synchronous=FULL, embedded). ${quick ? "Quick run." : ""}`,
);

let port = 4100 + Math.floor(Math.random() * 50) * 20;
/** A section that fails is reported as not run, with why; the others still run and are reported. */
const section = async (name: string, run: () => Promise<void>) => {
  try {
    await run();
  } catch (err) {
    results.notRun[name] = `failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
    note(`${name}: ${results.notRun[name]}`);
  }
};
const sweep = (name: ServerName, steps: FanoutStep[]) => {
  results.fanout.sweeps[name] = steps;
  note(`fan-out ${name}: sustained ${sustained(steps)} delivered/s`);
};

// ---------------------------------------------------------------- bare Bun, the limit
if (want("bare")) {
  await section("bare", async () => {
    const bare = await startServer("bare", port++);
    sweep("bare", await fanout(bare, await populate(bare, "fan"), plan));
    await bare.stop();
  });
}

// ---------------------------------------------------------------- project, embedded: fan-out, AI isolation, durable
if (want("project")) {
  await section("project", async () => {
    const model = startGenerator<{ url: string }>("fake-model.ts", { tokens: 40, delayMs: 25 });
    const { url: modelUrl } = await model.result;
    const aiEnv = { GEMINI_API_KEY: "bench-key", GEMINI_BASE_URL: modelUrl, GEMINI_MODEL: "bench-model", AI_CONTEXT_MESSAGES: "5" };
    const project = await startServer("project", port++, { env: aiEnv });
    const pop = await populate(project, "fan");
    note("project: 200 users in 4 private groups of 50");
    sweep("project", await fanout(project, pop, plan));
    results.aiIsolation = await aiIsolation(project, pop, plan, AI_RATE);
    note(`AI isolation: chat p99 ${results.aiIsolation.quiet.p99} ms quiet, ${results.aiIsolation.withAi.p99} ms with AI streaming`);
    results.durable.project = await durable(project, plan, "dur");
    note(`durable embedded: ${results.durable.project.ackedPerSec} acked/s`);
    await project.stop();
    model.proc.kill();
  });
}

// ---------------------------------------------------------------- Socket.IO, the seed stack
if (want("socketio")) {
  await section("socketio", async () => {
    const sio = await startServer("socketio", port++);
    sweep("socketio", await fanout(sio, await populate(sio, "fan"), plan));
    await sio.stop();
  });
}

// ---------------------------------------------------------------- project, scale-out: fan-out, durable, cross-instance
const missing = args.has("--skip-scaleout") || !want("scaleout") ? ["skipped"] : await missingEngines();
if (missing.length === 0) {
  await section("scaleOut", async () => {
    const env = scaleOutEnv();
    const a = await startServer("scaleout", port++, { env });
    const b = await startServer("scaleout", port++, { env });
    const pop = await populate(a, "fan");
    note("scale-out: 200 users in 4 private groups of 50");
    // Lightest first: each scenario leaves messages for the persistence worker (MongoDB-wire is the
    // slowest part), and the next one waits for that backlog, up to a minute.
    const settle = async () => {
      const ms = await drained(a);
      note(ms === null ? "scale-out: persistence backlog still draining after 60 s; the next figures include it" : `scale-out: persistence backlog drained in ${(ms / 1000).toFixed(1)} s`);
    };
    results.crossInstance = await crossInstance(a, b, pop, plan);
    note(`cross-instance: sustained ${sustained(results.crossInstance)} delivered/s`);
    await settle();
    results.durable.scaleout = await durable(a, plan, "dur");
    note(`durable scale-out: ${results.durable.scaleout.ackedPerSec} acked/s`);
    await settle();
    sweep("scaleout", await fanout(a, pop, plan));
    await b.stop();
    await a.stop();
  });
} else {
  const why = missing[0] === "skipped" ? "skipped" : `engines not reachable: ${missing.join(", ")} (bash scripts/engines/ctl.sh start all)`;
  results.notRun.scaleOut = why;
  results.notRun.crossInstance = why;
}

// ---------------------------------------------------------------- idle memory, each on a fresh server
if (!args.has("--skip-idle") && want("idle")) {
  for (const name of ["project", "bare", "socketio"] as ServerName[]) {
    await section(`idle ${name}`, async () => {
      results.idle[name] = await idleMemory(name, port++, plan.idleConnections);
      note(`idle ${name}: ${results.idle[name]!.perConnectionKiB} KiB per connection`);
    });
  }
} else results.notRun.idle = "skipped";

// ---------------------------------------------------------------- cold start
if (want("cold")) {
  await section("coldStart", async () => {
    results.coldStart = await coldStart(port, quick ? 3 : 5);
    port += 20;
    note(`cold start: ${results.coldStart.pinned.medianHealthyMs} ms pinned, ${results.coldStart.unpinned.medianHealthyMs} ms unpinned (to /api/health)`);
  });
} else results.notRun.coldStart = "skipped";

// ---------------------------------------------------------------- report
printReport(results);
const dir = join(ROOT, "bench/results");
mkdirSync(dir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
await Bun.write(join(dir, `${stamp}.json`), JSON.stringify(results, null, 2));
await Bun.write(join(dir, "latest.json"), JSON.stringify(results, null, 2));
const chart = await writeChart(join(dir, "fanout.svg"), join(dir, "fanout.png"), fanoutSvg({ ...results.fanout.sweeps, ...(results.crossInstance ? { "cross-instance": results.crossInstance } : {}) } as Record<string, FanoutStep[]>));
console.log(`\nResults: bench/results/${stamp}.json (and latest.json), chart: ${chart.replace(ROOT + "/", "")}. Total ${elapsed()}.`);
process.exit(0);
