/** The benchmark's scenarios, each against servers already started by run.ts. */
import type { FanoutClientSpec, FanoutConfig, FanoutStep } from "./generator/fanout.ts";
import { protocolOf, rssKiB, runGenerator, startGenerator, startServer, type RunningServer, type ServerName } from "./servers.ts";
import { makeDms, makeGroups, registerUsers, type BenchUser } from "./setup.ts";

export const ROOMS = 4;
export const ROOM_SIZE = 50;

export interface Plan {
  quick: boolean;
  rates: number[];
  stepMs: number;
  idleConnections: number;
  durableMs: number;
}

/** Rooms of ROOM_SIZE members: private groups on the project, plain topic names on the baselines. */
export interface Population {
  rooms: string[];
  users: (BenchUser | null)[];
}

export async function populate(server: RunningServer, prefix: string): Promise<Population> {
  if (protocolOf(server.name) !== "project") {
    return { rooms: Array.from({ length: ROOMS }, (_, i) => `room-${i}`), users: Array.from({ length: ROOMS * ROOM_SIZE }, () => null) };
  }
  const users = await registerUsers(server.url, ROOMS * ROOM_SIZE, prefix);
  return { rooms: await makeGroups(server.url, users, ROOM_SIZE), users };
}

const STOP_ABOVE_P99_MS = 200;

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
export async function fanout(server: RunningServer, pop: Population, plan: Plan, rates = plan.rates, extra: Partial<FanoutConfig> = {}): Promise<FanoutStep[]> {
  const clients: FanoutClientSpec[] = pop.users.map((u, i) => ({
    url: server.url,
    room: pop.rooms[Math.floor(i / ROOM_SIZE)]!,
    token: u?.token ?? null,
    sends: true,
    counts: true,
  }));
  const config: FanoutConfig = { kind: protocolOf(server.name), clients, ratesPerClient: rates, stepMs: plan.stepMs, stopAboveP99Ms: STOP_ABOVE_P99_MS, ...extra };
  return (await runGenerator<{ steps: FanoutStep[] }>("fanout.ts", config)).steps;
}

/** Half of each room sends on instance A; the other half receives (and is counted) on instance B. */
export async function crossInstance(a: RunningServer, b: RunningServer, pop: Population, plan: Plan): Promise<FanoutStep[]> {
  const clients: FanoutClientSpec[] = pop.users.map((u, i) => {
    const onA = i % ROOM_SIZE < ROOM_SIZE / 2;
    return { url: onA ? a.url : b.url, room: pop.rooms[Math.floor(i / ROOM_SIZE)]!, token: u!.token, sends: onA, counts: !onA };
  });
  const config: FanoutConfig = { kind: "project", clients, ratesPerClient: plan.rates, stepMs: plan.stepMs, stopAboveP99Ms: STOP_ABOVE_P99_MS };
  return (await runGenerator<{ steps: FanoutStep[] }>("fanout.ts", config)).steps;
}

export interface DurableResult {
  ackedPerSec: number;
  acked: number;
  readableMs: number;
  pairs: number;
  window: number;
}

/** Acked sends/s over DM pairs, each sender pipelining up to `window` unacknowledged sends. */
export async function durable(server: RunningServer, plan: Plan, prefix: string): Promise<DurableResult> {
  const users = await registerUsers(server.url, 100, prefix);
  const dms = await makeDms(server.url, users);
  const window = 64;
  const r = await runGenerator<Omit<DurableResult, "pairs" | "window">>("durable.ts", {
    target: { kind: "project", url: server.url },
    senders: dms,
    window,
    durationMs: plan.durableMs,
  });
  return { ...r, pairs: dms.length / 2, window };
}

export interface IdleResult {
  connections: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  perConnectionKiB: number;
}

/** RSS of a warmed-up server before and after `n` idle (authenticated, for the project) connections. */
export async function idleMemory(name: ServerName, port: number, n: number): Promise<IdleResult> {
  const server = await startServer(name, port);
  try {
    // Clients share a few accounts (argon2 makes 5,000 registrations slow); tickets are one per connection.
    const tokens = protocolOf(name) === "project" ? (await registerUsers(server.url, 20, "idle")).map((u) => u.token) : [""];
    const openIdle = async (count: number) => {
      const gen = startGenerator<{ open: number }>("idle.ts", { target: { kind: protocolOf(name), url: server.url }, tokens, n: count });
      return { gen, open: (await gen.result).open };
    };
    // Warm-up: the first connections compile the handshake and socket code and size the heap; that
    // one-time cost (tens of MB, whatever the number of sockets) is not a per-connection cost.
    const warm = await openIdle(Math.min(1000, n));
    warm.gen.proc.kill();
    await warm.gen.proc.exited;
    await Bun.sleep(3000);
    const before = rssKiB(server.pid);
    const { gen, open } = await openIdle(n);
    await Bun.sleep(3000); // let the server settle (and collect the garbage of the handshakes)
    const after = rssKiB(server.pid);
    gen.proc.kill();
    await gen.proc.exited;
    return { connections: open, rssBeforeKiB: before, rssAfterKiB: after, perConnectionKiB: +((after - before) / open).toFixed(2) };
  } finally {
    await server.stop();
  }
}

export interface AiIsolationResult {
  ratePerClient: number;
  prompters: number;
  quiet: FanoutStep;
  withAi: FanoutStep;
}

/**
 * Chat latency at a fixed fan-out rate, without and then with `prompters` AI answers streaming at
 * all times (each prompter asks again when its answer ends), in DM rooms of their own.
 */
export async function aiIsolation(server: RunningServer, pop: Population, plan: Plan, rate: number): Promise<AiIsolationResult> {
  const prompters = 10;
  const users = await registerUsers(server.url, prompters * 2, "ai");
  const dms = await makeDms(server.url, users);
  const aiPrompters = dms.filter((_, i) => i % 2 === 0).map((d) => ({ url: server.url, room: d.room, token: d.token }));
  const stepPlan = { ...plan, stepMs: Math.max(plan.stepMs, 3000) };
  const [quiet] = await fanout(server, pop, stepPlan, [rate]);
  const [withAi] = await fanout(server, pop, stepPlan, [rate], { aiPrompters });
  return { ratePerClient: rate, prompters, quiet: quiet!, withAi: withAi! };
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
