/**
 * Fan-out load: clients in rooms, each sending at a fixed rate with its timer staggered evenly over
 * the interval, stepping the rate up. Reports delivered messages/s (per recipient), end-to-end
 * latency percentiles, loss, and whether this generator kept up with the intended send rate.
 * Usage: bun fanout.ts '<json FanoutConfig>'  → prints one JSON result line.
 */
import { connect, now, sentAt, timestampBody, type BenchClient, type ProjectAccount, type Target } from "./clients.ts";

export interface FanoutConfig {
  target: Target;
  rooms: string[];
  roomSize: number;
  accounts: (ProjectAccount | null)[];
  ratesPerClient: number[];
  stepMs: number;
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
  keptUp: boolean;
  lateSends: number;
}

const cfg = JSON.parse(await Bun.file(process.argv[2]!).text()) as FanoutConfig;
const clientsN = cfg.rooms.length * cfg.roomSize;
/** Latency histogram in 0.05 ms buckets up to 10 s: recording allocates nothing, so the generator's own GC stays out of the numbers. */
const BUCKET_MS = 0.05;
const histogram = new Uint32Array(200_000);
let received = 0;
let recording = false;

const clients: BenchClient[] = [];
for (let i = 0; i < clientsN; i++) {
  const room = cfg.rooms[Math.floor(i / cfg.roomSize)]!;
  clients.push(
    await connect(cfg.target, room, cfg.accounts[i] ?? null, (body) => {
      if (!recording) return;
      received++;
      histogram[Math.min(histogram.length - 1, Math.max(0, Math.floor((now() - sentAt(body)) / BUCKET_MS)))]!++;
    }),
  );
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
  let late = 0;
  recording = true;
  const start = now() + 50;
  const end = start + cfg.stepMs;
  // One timer per client, offset so sends spread evenly over the interval.
  const timers = clients.map((c, i) => {
    let next = start + (i / clientsN) * interval;
    const tick = () => {
      const t = now();
      if (t >= end) return;
      if (t - next > 10) late++;
      c.send(timestampBody(i), seq++);
      sent++;
      next += interval;
      return setTimeout(tick, Math.max(0, next - now()));
    };
    return setTimeout(tick, Math.max(0, next - now()));
  });
  await Bun.sleep(end - now() + 1500); // let in-flight deliveries land
  recording = false;
  for (const t of timers) clearTimeout(t);
  const intended = Math.floor(cfg.stepMs / interval) * clientsN;
  const expected = sent * cfg.roomSize;
  if (step < 0) {
    await Bun.sleep(300);
    continue;
  }
  steps.push({
    ratePerClient: rate,
    intendedSendRate: rate * clientsN,
    sent,
    delivered: received,
    deliveredPerSec: Math.round(received / (cfg.stepMs / 1000)),
    loss: Math.max(0, expected - received),
    p50: +pct(50).toFixed(2),
    p99: +pct(99).toFixed(2),
    max: +maxLatency().toFixed(2),
    keptUp: sent >= intended * 0.98 && late <= sent * 0.01,
    lateSends: late,
  });
  const last = steps.at(-1)!;
  if (last.loss > 0 && last.p99 > 250) break; // far past saturation; more steps only queue
  await Bun.sleep(300);
}
for (const c of clients) c.close();
console.log(JSON.stringify({ steps }));
process.exit(0);
