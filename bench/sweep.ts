/**
 * Runs a rate sweep over one or more load-generator processes (bench/generator/fanout.ts), each
 * pinned to a generator core with its share of the clients, stepping in lockstep, and merges their
 * partial results. The sweep goes up until a step fails (p99 over the line, any loss, or the
 * generator could not keep its schedule); which side failed is recorded, so a generator limit is
 * never reported as the server's.
 */
import { BUCKET_MS, type FanoutClientSpec, type GeneratorConfig, type PartialStep, type Sparse, type StepCommand } from "./generator/fanout.ts";
import type { Protocol } from "./generator/clients.ts";
import { GENERATOR_CPUS, startGenerator, type Generator } from "./servers.ts";

export const P99_LIMIT_MS = 25;
/** A generator process near a full core adds its own receive delay to the latency it measures. */
export const GENERATOR_CPU_LIMIT = 0.9;

export interface FanoutStep {
  ratePerClient: number;
  intendedSendRate: number;
  sent: number;
  delivered: number;
  deliveredPerSec: number;
  loss: number;
  p50: number;
  p99: number;
  max: number;
  /** Acked sends (durable sweeps): per second and ack latency from send to ack (ms). */
  ackedPerSec?: number;
  unacked?: number;
  ackP50?: number;
  ackP99?: number;
  /** Every generator sent ≥ 98 % of the intended sends, ≤ 1 % of them more than 10 ms late, and stayed under GENERATOR_CPU_LIMIT. */
  keptUp: boolean;
  lateSends: number;
  maxLateMs: number;
  /** Share of one core used by the busiest generator process during the step. */
  generatorCpu: number;
  generators: number;
  /** AI deltas received during the step (AI isolation runs). */
  aiDeltas?: number;
  aiStreamsEnded?: number;
}

export interface Sweep {
  steps: FanoutStep[];
  /** Why the sweep stopped: the server failed a step, the generator could not drive it, or the top configured rate still held. */
  stoppedBy: "server" | "generator" | "top";
}

export interface SweepConfig {
  kind: Protocol;
  clients: FanoutClientSpec[];
  rates: number[];
  stepMs: number;
  acks?: boolean;
  aiPrompters?: GeneratorConfig["aiPrompters"];
  /** Generator processes (default: one per generator core). */
  generators?: number;
}

/** A step holds: nothing lost (or unacked), p99 within the line, the generator kept up. */
export const held = (s: FanoutStep) =>
  s.keptUp && s.loss === 0 && (s.unacked ?? 0) === 0 && (s.ackP99 ?? s.p99) <= P99_LIMIT_MS && s.p99 <= P99_LIMIT_MS;

/** The highest rate at which that step and every lower step held (0 when the first failed). */
export function sustainedStep(steps: FanoutStep[] = []): FanoutStep | undefined {
  let best: FanoutStep | undefined;
  for (const s of steps) {
    if (!held(s)) break;
    best = s;
  }
  return best;
}
export const sustained = (steps: FanoutStep[] = []) => sustainedStep(steps)?.deliveredPerSec ?? 0;
export const sustainedAcked = (steps: FanoutStep[] = []) => sustainedStep(steps)?.ackedPerSec ?? 0;

/** Percentiles over merged sparse histograms. */
function percentiles(parts: Sparse[]) {
  const merged = new Map<number, number>();
  for (const p of parts) for (const [b, c] of p) merged.set(b, (merged.get(b) ?? 0) + c);
  const buckets = [...merged.entries()].sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((n, [, c]) => n + c, 0);
  const at = (p: number) => {
    const target = Math.ceil((total * p) / 100);
    let seen = 0;
    for (const [b, c] of buckets) if ((seen += c) >= target && seen > 0) return +((b + 1) * BUCKET_MS).toFixed(2);
    return 0;
  };
  return { p50: at(50), p99: at(99), max: buckets.length ? +((buckets.at(-1)![0] + 1) * BUCKET_MS).toFixed(2) : 0 };
}

export async function sweep(cfg: SweepConfig): Promise<Sweep> {
  const n = Math.max(1, Math.min(cfg.generators ?? GENERATOR_CPUS.length, cfg.clients.length));
  const countingPerRoom: Record<string, number> = {};
  for (const c of cfg.clients) if (c.counts) countingPerRoom[c.room] = (countingPerRoom[c.room] ?? 0) + 1;
  const totalSenders = cfg.clients.filter((c) => c.sends).length;
  // Contiguous slices, so a room's members mostly share a process.
  const gens: Generator<{ ready: number }>[] = [];
  let senderOffset = 0;
  for (let g = 0; g < n; g++) {
    const clients = cfg.clients.slice(Math.floor((g * cfg.clients.length) / n), Math.floor(((g + 1) * cfg.clients.length) / n));
    const config: GeneratorConfig = {
      kind: cfg.kind,
      clients,
      senderOffset,
      totalSenders,
      countingPerRoom,
      acks: cfg.acks,
      aiPrompters: g === 0 ? cfg.aiPrompters : undefined,
    };
    senderOffset += clients.filter((c) => c.sends).length;
    gens.push(startGenerator("fanout.ts", config, GENERATOR_CPUS[g % GENERATOR_CPUS.length]));
  }
  try {
    await Promise.all(gens.map((g) => g.result));
    const runStep = async (rate: number): Promise<FanoutStep> => {
      const cmd: StepCommand = { rate, stepMs: cfg.stepMs, startAt: performance.timeOrigin + performance.now() + 250 };
      for (const g of gens) g.command(JSON.stringify(cmd));
      const parts = await Promise.all(gens.map((g) => g.next<PartialStep>()));
      const sum = (f: (p: PartialStep) => number) => parts.reduce((n, p) => n + f(p), 0);
      const sent = sum((p) => p.sent);
      const intended = Math.floor(cfg.stepMs / (1000 / rate)) * totalSenders;
      const late = sum((p) => p.late);
      const generatorCpu = +Math.max(...parts.map((p) => p.cpu)).toFixed(2);
      const lat = percentiles(parts.map((p) => p.latency));
      const acked = sum((p) => p.acked);
      const ack = percentiles(parts.map((p) => p.ackLatency));
      const secs = cfg.stepMs / 1000;
      return {
        ratePerClient: rate,
        intendedSendRate: rate * totalSenders,
        sent,
        delivered: sum((p) => p.received),
        deliveredPerSec: Math.round(sum((p) => p.received) / secs),
        loss: Math.max(0, sum((p) => p.expected) - sum((p) => p.received)),
        ...lat,
        ...(cfg.acks ? { ackedPerSec: Math.round(acked / secs), unacked: Math.max(0, sent - acked), ackP50: ack.p50, ackP99: ack.p99 } : {}),
        keptUp: sent >= intended * 0.98 && late <= sent * 0.01 && generatorCpu < GENERATOR_CPU_LIMIT,
        lateSends: late,
        maxLateMs: +Math.max(...parts.map((p) => p.maxLate)).toFixed(1),
        generatorCpu,
        generators: n,
        ...(cfg.aiPrompters?.length ? { aiDeltas: sum((p) => p.aiDeltas), aiStreamsEnded: sum((p) => p.aiEnded) } : {}),
      };
    };
    // Warm-up, not reported: JIT, caches, first WAL pages, and on scale-out the first send of each
    // room (its seq counter is seeded from the store). Repeated (up to 3 times) until it holds, so a
    // one-time cost that outlasts one step does not decide the first reported step.
    for (let i = 0; i < 3 && !held(await runStep(cfg.rates[0]!)); i++) await Bun.sleep(300);
    const steps: FanoutStep[] = [];
    for (const rate of cfg.rates) {
      const step = await runStep(rate);
      steps.push(step);
      if (!held(step)) return { steps, stoppedBy: step.keptUp ? "server" : "generator" };
      await Bun.sleep(300);
    }
    return { steps, stoppedBy: "top" };
  } finally {
    for (const g of gens) g.command("quit");
    await Promise.all(gens.map((g) => Promise.race([g.proc.exited, Bun.sleep(5000).then(() => g.proc.kill("SIGKILL"))])));
  }
}
