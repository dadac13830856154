/**
 * One load-generator process: connects its share of the clients, then runs the steps the
 * coordinator (bench/sweep.ts) asks for on stdin, one JSON line each, and answers each with its
 * partial result on stdout. Several processes can share a sweep; the coordinator merges them.
 * Each sender sends at the step's rate with its timer staggered over the interval (by its index
 * among all senders of the sweep). Latency: the send timestamp is in the body; acks (project only)
 * are timed from the send to the `ack` frame carrying the same ref.
 * Usage: bun fanout.ts <config.json>  → {"ready":n}, then one line per step; "quit" ends it.
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

export interface GeneratorConfig {
  kind: Protocol;
  clients: FanoutClientSpec[];
  /** Index of this process's first sender among all senders of the sweep, and their total. */
  senderOffset: number;
  totalSenders: number;
  /** Recipients counted per room over every process of the sweep. */
  countingPerRoom: Record<string, number>;
  /** Time acks (project only). */
  acks?: boolean;
  /** Sockets that each keep one `/ai` prompt in flight for the whole run (project only). */
  aiPrompters?: { url: string; room: string; token: string }[];
}

export interface StepCommand {
  rate: number;
  stepMs: number;
  /** Wall-clock (performance.timeOrigin + now) start, the same for every process. */
  startAt: number;
}

/** Sparse histogram: [bucket, count] pairs, buckets of BUCKET_MS. */
export type Sparse = [number, number][];
export const BUCKET_MS = 0.05;

export interface PartialStep {
  sent: number;
  expected: number;
  received: number;
  latency: Sparse;
  acked: number;
  ackLatency: Sparse;
  late: number;
  maxLate: number;
  /** Share of one core this process used during the step. */
  cpu: number;
  aiDeltas: number;
  aiEnded: number;
}

const BUCKETS = 200_000; // up to 10 s
const histogram = (): Uint32Array => new Uint32Array(BUCKETS);
const bucketOf = (ms: number) => Math.min(BUCKETS - 1, Math.max(0, Math.floor(ms / BUCKET_MS)));
const sparse = (h: Uint32Array): Sparse => {
  const out: Sparse = [];
  for (let i = 0; i < h.length; i++) if (h[i]) out.push([i, h[i]!]);
  return out;
};

if (import.meta.main) {
  const cfg = JSON.parse(await Bun.file(process.argv[2]!).text()) as GeneratorConfig;
  // Histograms: recording allocates nothing, so the generator's own GC stays out of the numbers.
  const latency = histogram();
  const ackLatency = histogram();
  let received = 0;
  let acked = 0;
  let recording = false;
  // Send times by send number, for acks (a ring far larger than what is ever in flight).
  const SENT_RING = 1 << 21;
  const sentTimes = new Float64Array(SENT_RING);

  const record = (body: string) => {
    if (!recording) return;
    received++;
    latency[bucketOf(now() - sentAt(body))]!++;
  };
  const onAck = (ref: number) => {
    if (!recording) return;
    acked++;
    ackLatency[bucketOf(now() - sentTimes[ref % SENT_RING]!)]!++;
  };

  const senders: { client: BenchClient; index: number; recipients: number }[] = [];
  const open = async (spec: (typeof cfg.clients)[number]) => {
    const client = await connect(
      { kind: cfg.kind, url: spec.url },
      spec.room,
      spec.token ? { token: spec.token } : null,
      spec.counts ? record : () => {},
      cfg.acks ? onAck : undefined,
    );
    return { spec, client };
  };
  // In batches, each started when the previous one is ready: a burst of thousands of handshakes
  // (each a few store reads on scale-out) is not what is measured.
  for (let i = 0; i < cfg.clients.length; i += 50) {
    for (const { spec, client } of await Promise.all(cfg.clients.slice(i, i + 50).map(open))) {
      if (spec.sends) senders.push({ client, index: cfg.senderOffset + senders.length, recipients: cfg.countingPerRoom[spec.room] ?? 0 });
    }
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

  let seq = 0;
  const runStep = async ({ rate, stepMs, startAt }: StepCommand): Promise<PartialStep> => {
    const interval = 1000 / rate;
    latency.fill(0);
    ackLatency.fill(0);
    received = 0;
    acked = 0;
    let sent = 0;
    let expected = 0;
    let late = 0;
    let maxLate = 0;
    recording = true;
    const [deltasAtStart, endedAtStart] = [aiDeltas, aiEnded];
    const cpuAtStart = process.cpuUsage();
    const end = startAt + stepMs;
    const timers = senders.map((s) => {
      let next = startAt + (s.index / cfg.totalSenders) * interval;
      const tick = () => {
        const t = now();
        if (t >= end) return;
        if (t - next > 10) late++;
        if (t - next > maxLate) maxLate = t - next;
        const n = seq++;
        sentTimes[n % SENT_RING] = t;
        s.client.send(timestampBody(s.index), n);
        sent++;
        expected += s.recipients;
        next += interval;
        timer = setTimeout(tick, Math.max(0, next - now()));
      };
      let timer = setTimeout(tick, Math.max(0, next - now()));
      return () => clearTimeout(timer);
    });
    await Bun.sleep(Math.max(0, end - now()));
    const cpu = process.cpuUsage(cpuAtStart);
    const ai = { aiDeltas: aiDeltas - deltasAtStart, aiEnded: aiEnded - endedAtStart };
    // Let in-flight deliveries (and acks) land: until all arrived, at most 2 s.
    const drainBy = now() + 2000;
    while (now() < drainBy && (received < expected || (cfg.acks && acked < sent))) await Bun.sleep(20);
    recording = false;
    for (const stop of timers) stop();
    return {
      sent,
      expected,
      received,
      latency: sparse(latency),
      acked,
      ackLatency: sparse(ackLatency),
      late,
      maxLate,
      cpu: (cpu.user + cpu.system) / 1000 / stepMs,
      ...ai,
    };
  };

  console.log(JSON.stringify({ ready: cfg.clients.length }));
  for await (const line of console) {
    if (line === "quit") break;
    console.log(JSON.stringify(await runStep(JSON.parse(line) as StepCommand)));
  }
  aiRunning = false;
  for (const s of senders) s.client.close();
  for (const a of aiSockets) a.close();
  process.exit(0);
}
