/**
 * Profiles `send` end to end on the embedded server, pinned to one core like in the benchmark: Bun's
 * CPU profiler on the socket thread (markdown summary) and each server thread's share of the core
 * (/proc), during a fan-out step (rooms of 50) and a durable step (rooms of 2, every send acked).
 * Usage: bun bench/diagnose/send-profile.ts [fanoutRatePerClient=8] [durableRatePerClient=50] [stepMs=4000]
 * Prints the per-thread shares and where the profile was written (bench/results/profile/).
 */
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { dmPairs, durable, fanout, populate, type Plan } from "../scenarios.ts";
import { ROOT, startServer, threadCpu } from "../servers.ts";

const [fanRate, durRate, stepMs] = [Number(process.argv[2] ?? 8), Number(process.argv[3] ?? 50), Number(process.argv[4] ?? 4000)];
const dir = join(ROOT, "bench/results/profile");
mkdirSync(dir, { recursive: true });
const server = await startServer("project", 4900 + Math.floor(Math.random() * 90), {
  runtimeArgs: ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${dir}`, "--cpu-prof-interval=250"],
});
const pop = await populate(server, "prof");
const dms = await dmPairs(server, pop);
const plan: Plan = { quick: false, rates: [fanRate], durableRates: [durRate], stepMs, idleConnections: 0 };

let sample = threadCpu(server.pid);
const fan = await fanout(server, pop, plan);
const fanThreads = sample();
sample = threadCpu(server.pid);
const dur = await durable(server, dms, plan);
const durThreads = sample();
await server.stop();

console.log(JSON.stringify({ fanout: { step: fan.steps[0], threads: fanThreads }, durable: { step: dur.steps[0], threads: durThreads } }, null, 2));
console.log(`profiles in ${dir}: ${readdirSync(dir).join(", ")}`);
process.exit(0);
