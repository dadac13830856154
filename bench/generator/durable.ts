/**
 * Durable sends: DM pairs, each sender keeping a window of unacknowledged sends in flight; counts
 * acks/s (an ack means durable) and how long until the last acked message is readable in history.
 * Usage: bun durable.ts '<json DurableConfig>' → one JSON result line.
 */
import { connect, now, timestampBody, type Target } from "./clients.ts";

interface DurableConfig {
  target: Target;
  senders: { token: string; room: string }[];
  window: number;
  durationMs: number;
}

const cfg = JSON.parse(await Bun.file(process.argv[2]!).text()) as DurableConfig;
let acked = 0;
let seq = 0;
const lastAcked = new Map<string, number>();
let stop = false;

await Promise.all(
  cfg.senders.map(async (s, i) => {
    let inFlight = 0;
    let wake: (() => void) | null = null;
    const client = await connect(cfg.target, s.room, { token: s.token }, () => {}, (ackSeq) => {
      acked++;
      inFlight--;
      lastAcked.set(s.room, Math.max(lastAcked.get(s.room) ?? 0, ackSeq));
      wake?.();
    });
    void (async () => {
      while (!stop) {
        while (inFlight < cfg.window && !stop) {
          client.send(timestampBody(i), seq++);
          inFlight++;
        }
        await new Promise<void>((r) => (wake = r));
      }
    })();
  }),
);

const started = now();
const ackedAtStart = acked;
await Bun.sleep(cfg.durationMs);
stop = true;
const elapsed = now() - started;
const ackedInWindow = acked - ackedAtStart;

// How long until what was acked is readable through the history API.
const readStart = now();
const [room, seqWanted] = [...lastAcked.entries()].at(-1)!;
const token = cfg.senders.find((s) => s.room === room)!.token;
let readableMs = -1;
for (let i = 0; i < 2000; i++) {
  const res = await fetch(`${cfg.target.url}/api/conversations/${encodeURIComponent(room)}/messages?limit=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const page = (await res.json()) as { messages: { seq: number }[] };
  if ((page.messages[0]?.seq ?? 0) >= seqWanted) {
    readableMs = now() - readStart;
    break;
  }
  await Bun.sleep(5);
}
console.log(JSON.stringify({ ackedPerSec: Math.round(ackedInWindow / (elapsed / 1000)), acked: ackedInWindow, readableMs: +readableMs.toFixed(1) }));
process.exit(0);
