/**
 * npm run bench — the project (embedded, and scale-out when the engines are up) against a bare Bun
 * WebSocket server (the runtime's limit), Centrifugo (the strongest open-source peer) and Socket.IO
 * (the seed stack), all driven by the same load generator; servers pinned to one core, generators
 * to the others. A full run writes bench/results/latest.json, the chart and the README table by
 * itself; a --quick or --only run writes only its own timestamped file (its figures are partial).
 * Flags: --quick, --skip-idle, --skip-scaleout, --only=bare,project,centrifugo,socketio,scaleout,idle,cold,search
 * (scale-out's parts alone: --only=scaleout-cross, scaleout-durable, scaleout-fanout)
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fanoutSvg, writeChart } from "./chart.ts";
import { missingEngines, scaleOutEnv } from "./engines.ts";
import { renderMarkdown, writeReadme, type Results } from "./report.ts";
import { searchSection } from "./search/section.ts";
import { aiIsolation, coldStart, crossInstance, dmPairs, drained, durable, fanout, idleMemory, populate, type Plan } from "./scenarios.ts";
import { GENERATOR_CPUS, RAISED_LIMITS, ROOT, SERVER_CPU, startGenerator, startServer, type ServerName } from "./servers.ts";
import { sustained, sustainedAcked, type FanoutStep, type Sweep } from "./sweep.ts";

const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const only = [...args].find((a) => a.startsWith("--only="))?.slice(7).split(",") ?? null;
const want = (section: string) => !only || only.includes(section);
const full = !quick && !only && !args.has("--skip-idle") && !args.has("--skip-scaleout");
const plan: Plan = {
  quick,
  // Per-client rates (200 senders in rooms of 50: ×10,000 delivered/s). The sweep stops at the first
  // step that fails, so the top is only reached by a server that never fails.
  rates: quick ? [2, 8, 16] : [1, 2, 4, 8, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160],
  // Rooms of 2, 200 senders: ×200 acked/s.
  durableRates: quick ? [10, 40] : [10, 25, 50, 75, 100, 125, 150, 200, 250, 300],
  stepMs: quick ? 1500 : 3000,
  idleConnections: quick ? 1000 : 5000,
};
/** Fan-out rate per client for the AI-isolation steps (×10,000 delivered/s). */
const AI_RATE = 8;
const begun = performance.now();
const elapsed = () => `${((performance.now() - begun) / 1000).toFixed(0)}s`;
const note = (s: string) => console.log(`[${elapsed()}] ${s}`);

const results: Results = {
  date: new Date().toISOString(),
  quick,
  only,
  machine: {
    cpus: navigator.hardwareConcurrency,
    serverCpu: SERVER_CPU,
    generatorCpus: GENERATOR_CPUS.join(","),
    bun: Bun.version,
    node: Bun.spawnSync(["node", "--version"]).stdout.toString().trim(),
  },
  raisedLimits: RAISED_LIMITS,
  fanout: { rooms: 4, roomSize: 50, stepMs: plan.stepMs, sweeps: {} },
  durable: {},
  idle: {},
  notRun: {},
};
console.log(
  `Servers pinned to CPU ${SERVER_CPU}, load generators to CPU ${GENERATOR_CPUS.join(",")} (taskset); engines (Redis, Kafka, FerretDB) are not pinned.\n` +
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
const skip = (name: string, why = "skipped (--only / --skip)") => void (results.notRun[name] = why);
const recordSweep = (name: ServerName, s: Sweep) => {
  results.fanout.sweeps[name] = s;
  note(`fan-out ${name}: sustained ${sustained(s.steps)} delivered/s (stopped by: ${s.stoppedBy})`);
};

// ---------------------------------------------------------------- bare Bun, the runtime's limit
if (want("bare")) {
  await section("bare", async () => {
    const bare = await startServer("bare", port++);
    try {
      recordSweep("bare", await fanout(bare, await populate(bare, "fan"), plan));
    } finally {
      await bare.stop();
    }
  });
} else skip("bare");

// ---------------------------------------------------------------- project, embedded: fan-out, AI isolation, durable
if (want("project")) {
  await section("project", async () => {
    const model = startGenerator<{ url: string }>("fake-model.ts", { tokens: 40, delayMs: 5 });
    const { url: modelUrl } = await model.result;
    const aiEnv = { GEMINI_API_KEY: "bench-key", GEMINI_BASE_URL: modelUrl, GEMINI_MODEL: "bench-model", AI_CONTEXT_MESSAGES: "5" };
    const project = await startServer("project", port++, { env: aiEnv });
    try {
      const pop = await populate(project, "fan");
      const dms = await dmPairs(project, pop);
      note(`project: 200 users in 4 private groups of 50, ${dms.length / 2} DM rooms`);
      recordSweep("project", await fanout(project, pop, plan));
      await section("aiIsolation", async () => {
        results.aiIsolation = await aiIsolation(project, pop, dms, plan, AI_RATE);
        note(`AI isolation: chat p99 ${results.aiIsolation.quiet.p99} ms quiet, ${results.aiIsolation.withAi.p99} ms with ${results.aiIsolation.prompters} answers streaming`);
      });
      await section("durable project", async () => {
        results.durable.project = { ...(await durable(project, dms, plan)), rooms: dms.length / 2 };
        note(`durable embedded: ${sustainedAcked(results.durable.project.steps)} acked/s within the line`);
      });
    } finally {
      await project.stop();
      model.proc.kill();
    }
  });
} else skip("project");

// ---------------------------------------------------------------- Centrifugo, the peer
if (want("centrifugo")) {
  await section("centrifugo", async () => {
    const cf = await startServer("centrifugo", port++);
    try {
      recordSweep("centrifugo", await fanout(cf, await populate(cf, "fan"), plan));
    } finally {
      await cf.stop();
    }
  });
} else skip("centrifugo");

// ---------------------------------------------------------------- Socket.IO, the seed stack
if (want("socketio")) {
  await section("socketio", async () => {
    const sio = await startServer("socketio", port++);
    try {
      recordSweep("socketio", await fanout(sio, await populate(sio, "fan"), plan));
    } finally {
      await sio.stop();
    }
  });
} else skip("socketio");

// ---------------------------------------------------------------- project, scale-out: fan-out, durable, cross-instance
/** A part of the scale-out section: all of them with --only=scaleout, or one with --only=scaleout-<part>. */
const wantScaleOut = (part: "cross" | "durable" | "fanout") => want("scaleout") || want(`scaleout-${part}`);
const missing = args.has("--skip-scaleout") || !(["cross", "durable", "fanout"] as const).some(wantScaleOut) ? ["skipped"] : await missingEngines();
if (missing.length === 0) {
  await section("scaleOut", async () => {
    const env = scaleOutEnv();
    const a = await startServer("scaleout", port++, { env });
    const b = await startServer("scaleout", port++, { env });
    try {
      const pop = await populate(a, "fan");
      const dms = await dmPairs(a, pop);
      note("scale-out: 200 users in 4 private groups of 50");
      // Lightest first: each scenario leaves messages for the persistence worker (MongoDB-wire is the
      // slowest part), and the next one waits for that backlog, up to a minute.
      const settle = async () => {
        const ms = await drained(a);
        note(ms === null ? "scale-out: persistence backlog still draining after 60 s; the next figures include it" : `scale-out: persistence backlog drained in ${(ms / 1000).toFixed(1)} s`);
      };
      if (wantScaleOut("cross")) {
        await section("crossInstance", async () => {
          results.crossInstance = await crossInstance(a, b, pop, plan);
          note(`cross-instance: sustained ${sustained(results.crossInstance.steps)} delivered/s`);
        });
        await settle();
      } else skip("crossInstance");
      if (wantScaleOut("durable")) {
        await section("durable scaleout", async () => {
          results.durable.scaleout = { ...(await durable(a, dms, plan)), rooms: dms.length / 2 };
          note(`durable scale-out: ${sustainedAcked(results.durable.scaleout.steps)} acked/s within the line`);
        });
        await settle();
      } else skip("durable scaleout");
      if (wantScaleOut("fanout")) recordSweep("scaleout", await fanout(a, pop, plan));
      else skip("fanout scaleout");
    } finally {
      await b.stop();
      await a.stop();
    }
  });
} else {
  const why = missing[0] === "skipped" ? "skipped (--only / --skip)" : `engines not reachable: ${missing.join(", ")} (bash scripts/engines/ctl.sh start all)`;
  skip("scaleOut", why);
  skip("crossInstance", why);
}

// ---------------------------------------------------------------- idle memory, each on a fresh server
if (!args.has("--skip-idle") && want("idle")) {
  for (const name of ["project", "bare", "centrifugo", "socketio"] as ServerName[]) {
    await section(`idle ${name}`, async () => {
      results.idle[name] = await idleMemory(name, port++, plan.idleConnections);
      note(`idle ${name}: ${results.idle[name]!.perConnectionKiB} KiB per connection`);
    });
  }
} else skip("idle");

// ---------------------------------------------------------------- cold start
if (want("cold")) {
  await section("coldStart", async () => {
    results.coldStart = await coldStart(port, quick ? 3 : 5);
    port += 20;
    note(`cold start: ${results.coldStart.pinned.medianHealthyMs} ms pinned, ${results.coldStart.unpinned.medianHealthyMs} ms unpinned (to /api/health)`);
  });
} else skip("coldStart");

// ---------------------------------------------------------------- search (issue 10): latency, indexing, activity's cost on fan-out
if (want("search")) await section("search", async () => void (results.search = await searchSection({ plan, port: () => port++, note })));
else skip("search");

// ---------------------------------------------------------------- report: results file, chart and README table, from this run only
results.totalSeconds = (performance.now() - begun) / 1000;
const markdown = renderMarkdown(results);
console.log("\n" + markdown);
const dir = join(ROOT, "bench/results");
mkdirSync(dir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const json = JSON.stringify(results, null, 2);
await Bun.write(join(dir, `${stamp}.json`), json);
if (full) {
  await Bun.write(join(dir, "latest.json"), json);
  const series: Record<string, FanoutStep[]> = Object.fromEntries(Object.entries(results.fanout.sweeps).map(([n, s]) => [n, s.steps]));
  if (results.crossInstance) series["cross-instance"] = results.crossInstance.steps;
  const chart = await writeChart(join(dir, "fanout.svg"), join(dir, "fanout.png"), fanoutSvg(series));
  await writeReadme(join(ROOT, "README.md"), markdown);
  console.log(`\nResults: bench/results/${stamp}.json and latest.json, chart ${chart.replace(ROOT + "/", "")}, README.md table. Total ${elapsed()}.`);
} else {
  console.log(`\nPartial run (${quick ? "--quick" : "sections skipped"}): bench/results/${stamp}.json only; latest.json and README.md unchanged. Total ${elapsed()}.`);
}
process.exit(0);
