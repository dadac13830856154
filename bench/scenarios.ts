/** The benchmark's scenarios, each against servers already started by run.ts. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FanoutClientSpec } from "./generator/fanout.ts";
import { SEED_JWT_SECRET, seedAccounts } from "./seed.ts";
import { isProject, protocolOf, rssKiB, startGenerator, startServer, threadCpu, type RunningServer, type ServerName, type StartOptions } from "./servers.ts";
import { makeDms, makeGroups, registerUsers, type BenchUser } from "./setup.ts";
import { sweep, type FanoutStep, type Sweep, type SweepConfig } from "./sweep.ts";

export const ROOMS = 4;
export const ROOM_SIZE = 50;

export interface Plan {
  quick: boolean;
  rates: number[];
  stepMs: number;
  /** Per-client send rates of the durable sweep (rooms of 2, both members sending). */
  durableRates: number[];
  idleConnections: number;
}

/** Rooms of ROOM_SIZE members: private groups on the project, plain topic names on the baselines. */
export interface Population {
  rooms: string[];
  users: (BenchUser | null)[];
}

export async function populate(server: RunningServer, prefix: string): Promise<Population> {
  if (!isProject(server.name)) {
    return { rooms: Array.from({ length: ROOMS }, (_, i) => `room-${i}`), users: Array.from({ length: ROOMS * ROOM_SIZE }, () => null) };
  }
  const users = await registerUsers(server.url, ROOMS * ROOM_SIZE, prefix);
  return { rooms: await makeGroups(server.url, users, ROOM_SIZE), users };
}

/**
 * Waits until a scale-out server has persisted everything it accepted (Kafka lag and parked
 * messages at zero), so the next scenario does not start on the previous one's backlog. Returns
 * the wait in ms, or null when the backlog was still there after `timeoutMs` (the caller says so).
 */
export async function drained(server: RunningServer, timeoutMs = 60_000): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const health = (await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(5000) }).then((r) => r.json(), () => null)) as {
      engines?: { name: string; lag?: number; parked?: number }[];
    } | null;
    const kafka = health?.engines?.find((e) => e.name === "kafka");
    if (kafka && (kafka.lag ?? 0) === 0 && (kafka.parked ?? 0) === 0) return performance.now() - started;
    await Bun.sleep(500);
  }
  return null;
}

/** Every client sends and every client's deliveries count. */
export async function fanout(server: RunningServer, pop: Population, plan: Plan, rates = plan.rates, extra: Partial<SweepConfig> = {}): Promise<Sweep> {
  const clients: FanoutClientSpec[] = pop.users.map((u, i) => ({
    url: server.url,
    room: pop.rooms[Math.floor(i / ROOM_SIZE)]!,
    token: u?.token ?? null,
    sends: true,
    counts: true,
  }));
  return sweep({ kind: protocolOf(server.name), clients, rates, stepMs: plan.stepMs, ...extra });
}

/** Half of each room sends on instance A; the other half receives (and is counted) on instance B. */
export async function crossInstance(a: RunningServer, b: RunningServer, pop: Population, plan: Plan): Promise<Sweep> {
  const clients: FanoutClientSpec[] = pop.users.map((u, i) => {
    const onA = i % ROOM_SIZE < ROOM_SIZE / 2;
    return { url: onA ? a.url : b.url, room: pop.rooms[Math.floor(i / ROOM_SIZE)]!, token: u!.token, sends: onA, counts: !onA };
  });
  return sweep({ kind: "project", clients, rates: plan.rates, stepMs: plan.stepMs });
}

/** DM rooms between consecutive users of the population (they are friends from their group). */
export const dmPairs = (server: RunningServer, pop: Population) => makeDms(server.url, pop.users as BenchUser[]);

/**
 * Durable sends: rooms of 2 members (DMs), both sending at the step's rate; every send must be
 * acked (stored) and delivered to the other member. Sustained: the highest acked rate whose ack
 * p99 (and delivery p99) is within the line, with nothing lost, at that step and every lower one.
 */
export async function durable(server: RunningServer, dms: { token: string; room: string }[], plan: Plan): Promise<Sweep> {
  const clients: FanoutClientSpec[] = dms.map((d) => ({ url: server.url, room: d.room, token: d.token, sends: true, counts: true }));
  return sweep({ kind: "project", clients, rates: plan.durableRates, stepMs: plan.stepMs, acks: true });
}

export interface IdleResult {
  connections: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  perConnectionKiB: number;
}

/** RSS of a warmed-up server before and after `n` idle connections (the project's: authenticated, one account each). */
export async function idleMemory(name: ServerName, port: number, n: number): Promise<IdleResult> {
  const warmCount = Math.min(1000, n);
  let tokens = [""];
  const opts: StartOptions = {};
  if (isProject(name)) {
    opts.dataDir = mkdtempSync(join(tmpdir(), "chat-bench-idle-"));
    opts.env = { JWT_SECRET: SEED_JWT_SECRET };
    tokens = await seedAccounts(opts.dataDir, warmCount + n, "idle");
  }
  const server = await startServer(name, port, opts);
  try {
    const openIdle = async (from: number, count: number) => {
      const gen = startGenerator<{ open: number }>("idle.ts", { target: { kind: protocolOf(name), url: server.url }, tokens: isProject(name) ? tokens.slice(from, from + count) : tokens, n: count });
      return { gen, open: (await gen.result).open };
    };
    // Warm-up: the first connections compile the handshake and socket code and size the heap; that
    // one-time cost (tens of MB, whatever the number of sockets) is not a per-connection cost.
    const warm = await openIdle(0, warmCount);
    warm.gen.proc.kill();
    await warm.gen.proc.exited;
    await Bun.sleep(3000);
    const before = rssKiB(server.pid);
    const { gen, open } = await openIdle(warmCount, n);
    await Bun.sleep(3000); // let the server settle (and collect the garbage of the handshakes)
    const after = rssKiB(server.pid);
    gen.proc.kill();
    await gen.proc.exited;
    return { connections: open, rssBeforeKiB: before, rssAfterKiB: after, perConnectionKiB: +((after - before) / open).toFixed(2) };
  } finally {
    await server.stop();
    if (opts.dataDir) rmSync(opts.dataDir, { recursive: true, force: true });
  }
}

export interface AiIsolationResult {
  ratePerClient: number;
  prompters: number;
  quiet: FanoutStep;
  withAi: FanoutStep;
  /** Share of the server's core per thread while the answers stream (sampled over the step). */
  threadsWithAi: Record<string, number>;
}

/** Concurrent answers: the embedded AI queue serves 64 at once (src/adapters/memory/ai-queue.ts). */
export const AI_PROMPTERS = 64;

/**
 * Chat latency at a fixed fan-out rate, without and then with AI_PROMPTERS answers streaming at all
 * times (each prompter asks again when its answer ends), in DM rooms, so the AI worker is busy.
 */
export async function aiIsolation(server: RunningServer, pop: Population, dms: { token: string; room: string }[], plan: Plan, rate: number): Promise<AiIsolationResult> {
  const aiPrompters = dms.filter((_, i) => i % 2 === 0).slice(0, AI_PROMPTERS).map((d) => ({ url: server.url, room: d.room, token: d.token }));
  const stepPlan = { ...plan, stepMs: Math.max(plan.stepMs, 3000) };
  const quiet = await fanout(server, pop, stepPlan, [rate]);
  const sampler = threadCpu(server.pid);
  const withAi = await fanout(server, pop, stepPlan, [rate], { aiPrompters });
  return { ratePerClient: rate, prompters: aiPrompters.length, quiet: quiet.steps[0]!, withAi: withAi.steps[0]!, threadsWithAi: sampler() };
}

export interface ColdStartResult {
  pinned: { listeningMs: number[]; healthyMs: number[]; medianListeningMs: number; medianHealthyMs: number };
  unpinned: { listeningMs: number[]; healthyMs: number[]; medianListeningMs: number; medianHealthyMs: number };
}

/** Spawn → "listening" log line and → first 200 from /api/health, embedded, on a fresh data dir each time. */
export async function coldStart(port: number, runs: number): Promise<ColdStartResult> {
  const measure = async (cpu: string | null | undefined) => {
    const listening: number[] = [];
    const healthy: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = await startServer("project", port++, { cpu });
      listening.push(+s.listeningMs.toFixed(1));
      healthy.push(+s.healthyMs.toFixed(1));
      await s.stop();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return { listeningMs: listening, healthyMs: healthy, medianListeningMs: median(listening), medianHealthyMs: median(healthy) };
  };
  return { pinned: await measure(undefined), unpinned: await measure(null) };
}
