/**
 * Fan-out load: clients in rooms, each sender sending at a fixed rate with its timer staggered evenly
 * over the interval, stepping the rate up. Reports delivered messages/s (per counted recipient),
 * end-to-end latency percentiles (send timestamp in the body), loss, and whether this generator kept
 * up with the intended send rate. Optionally keeps AI prompts in flight on other sockets meanwhile.
 * Usage: bun fanout.ts <config.json>  → prints one JSON result line.
 */
import { connect, now, sentAt, timestampBody, type BenchClient, type Protocol } from "./clients.ts";

export interface FanoutClientSpec {
  url: string;
  room: string;
  token: string | null;
  /** Sends at the step's rate. */
  sends: boolean;
  /** Its deliveries are counted (latency, delivered, loss). */
  counts: boolean;
}

export interface FanoutConfig {
  kind: Protocol;
  clients: FanoutClientSpec[];
  ratesPerClient: number[];
  stepMs: number;
  /** Stop stepping up once p99 passes this (past saturation more steps only queue). */
  stopAboveP99Ms: number;
  /** Sockets that each keep one `/ai` prompt in flight for the whole run (project only). */
  aiPrompters?: { url: string; room: string; token: string }[];
}

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
  /** The generator sent ≥ 98 % of the intended sends, ≤ 1 % of them more than 10 ms late. */
  keptUp: boolean;
  lateSends: number;
  maxLateMs: number;
  /** Share of one core the generator used during the step (near 1: its receive side may add latency). */
  generatorCpu: number;
  /** AI deltas received during the step (AI isolation runs). */
  aiDeltas?: number;
  aiStreamsEnded?: number;
}

const cfg = JSON.parse(await Bun.file(process.argv[2]!).text()) as FanoutConfig;
/** Latency histogram in 0.05 ms buckets up to 10 s: recording allocates nothing, so the generator's own GC stays out of the numbers. */
const BUCKET_MS = 0.05;
const histogram = new Uint32Array(200_000);
let received = 0;
let recording = false;

const countingPerRoom = new Map<string, number>();
for (const c of cfg.clients) if (c.counts) countingPerRoom.set(c.room, (countingPerRoom.get(c.room) ?? 0) + 1);
const record = (body: string) => {
  if (!recording) return;
  received++;
  histogram[Math.min(histogram.length - 1, Math.max(0, Math.floor((now() - sentAt(body)) / BUCKET_MS)))]!++;
};

const senders: { client: BenchClient; index: number; recipients: number }[] = [];
for (const [i, spec] of cfg.clients.entries()) {
  const client = await connect({ kind: cfg.kind, url: spec.url }, spec.room, spec.token ? { token: spec.token } : null, spec.counts ? record : () => {});
  if (spec.sends) senders.push({ client, index: i, recipients: countingPerRoom.get(spec.room) ?? 0 });
}

// AI prompters: each asks again as soon as its previous answer ended.
let aiDeltas = 0;
let aiEnded = 0;
let aiRunning = true;
const aiSockets: BenchClient[] = [];
for (const [i, p] of (cfg.aiPrompters ?? []).entries()) {
  let n = 0;
  let client: BenchClient | null = null;
  const ask = () => aiRunning && client?.send(`/ai benchmark question ${i}.${n++}`, n);
  client = await connect({ kind: "project", url: p.url }, p.room, { token: p.token }, () => {}, undefined, (frame) => {
    if (frame.includes('"type":"ai.delta"')) aiDeltas++;
    else if (frame.includes('"type":"ai.end"')) {
      aiEnded++;
      ask();
    }
  });
  aiSockets.push(client);
  ask();
}

function pct(p: number): number {
  const target = Math.ceil((received * p) / 100);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]!;
    if (seen >= target && seen > 0) return (i + 1) * BUCKET_MS;
  }
  return 0;
}
const maxLatency = () => {
  for (let i = histogram.length - 1; i >= 0; i--) if (histogram[i]) return (i + 1) * BUCKET_MS;
  return 0;
};
const steps: FanoutStep[] = [];
let seq = 0;

// A warm-up step (JIT, caches, first WAL pages) that is not reported.
for (const [step, rate] of [[-1, cfg.ratesPerClient[0]!], ...cfg.ratesPerClient.entries()] as [number, number][]) {
  const interval = 1000 / rate;
  histogram.fill(0);
  received = 0;
  let sent = 0;
  let expected = 0;
  let late = 0;
  let maxLate = 0;
  recording = true;
  const [deltasAtStart, endedAtStart] = [aiDeltas, aiEnded];
  const cpuAtStart = process.cpuUsage();
  const start = now() + 50;
  const end = start + cfg.stepMs;
  // One timer per sender, offset so sends spread evenly over the interval.
  const timers = senders.map((s, i) => {
    let next = start + (i / senders.length) * interval;
    const tick = () => {
      const t = now();
      if (t >= end) return;
      if (t - next > 10) late++;
      if (t - next > maxLate) maxLate = t - next;
      s.client.send(timestampBody(s.index), seq++);
      sent++;
      expected += s.recipients;
      next += interval;
      return setTimeout(tick, Math.max(0, next - now()));
    };
    return setTimeout(tick, Math.max(0, next - now()));
  });
  await Bun.sleep(end - now());
  const cpu = process.cpuUsage(cpuAtStart);
  const aiDuring = { aiDeltas: aiDeltas - deltasAtStart, aiStreamsEnded: aiEnded - endedAtStart };
  await Bun.sleep(1500); // let in-flight deliveries land
  recording = false;
  for (const t of timers) clearTimeout(t);
  const intended = Math.floor(cfg.stepMs / interval) * senders.length;
  if (step < 0) {
    await Bun.sleep(300);
    continue;
  }
  steps.push({
    ratePerClient: rate,
    intendedSendRate: rate * senders.length,
    sent,
    delivered: received,
    deliveredPerSec: Math.round(received / (cfg.stepMs / 1000)),
    loss: Math.max(0, expected - received),
    p50: +pct(50).toFixed(2),
    p99: +pct(99).toFixed(2),
    max: +maxLatency().toFixed(2),
    keptUp: sent >= intended * 0.98 && late <= sent * 0.01,
    lateSends: late,
    maxLateMs: +maxLate.toFixed(1),
    generatorCpu: +((cpu.user + cpu.system) / 1000 / cfg.stepMs).toFixed(2),
    ...(cfg.aiPrompters?.length ? aiDuring : {}),
  });
  const last = steps.at(-1)!;
  if (last.p99 > cfg.stopAboveP99Ms || !last.keptUp) break;
  await Bun.sleep(300);
}
aiRunning = false;
for (const s of senders) s.client.close();
for (const a of aiSockets) a.close();
console.log(JSON.stringify({ steps }));
process.exit(0);
