/** The results document and the table printed on stdout (figures, ratios to the baselines, targets). */
import type { FanoutStep } from "./generator/fanout.ts";
import type { AiIsolationResult, ColdStartResult, DurableResult, IdleResult } from "./scenarios.ts";
import type { ServerName } from "./servers.ts";

export interface Results {
  date: string;
  quick: boolean;
  machine: Record<string, unknown>;
  raisedLimits: Record<string, string>;
  fanout: { rooms: number; roomSize: number; stepMs: number; sweeps: Partial<Record<ServerName, FanoutStep[]>>; sustained: Partial<Record<ServerName, number>> };
  durable: Partial<Record<"project" | "scaleout", DurableResult>>;
  idle: Partial<Record<ServerName, IdleResult>>;
  crossInstance?: FanoutStep[];
  aiIsolation?: AiIsolationResult;
  coldStart?: ColdStartResult;
  notRun: Record<string, string>;
}

export const P99_LIMIT_MS = 25;

/** Steps that count: the generator kept up, nothing lost, p99 within the limit. */
const counted = (s: FanoutStep) => s.keptUp && s.loss === 0 && s.p99 <= P99_LIMIT_MS;
const best = (steps: FanoutStep[] = []) => steps.filter(counted).sort((a, b) => b.deliveredPerSec - a.deliveredPerSec)[0];
export const sustained = (steps: FanoutStep[] = []) => best(steps)?.deliveredPerSec ?? 0;

const fmt = (n: number | undefined, unit = "") => (n === undefined ? "–" : `${Math.round(n).toLocaleString("en-US")}${unit}`);
const ratio = (a: number | undefined, b: number | undefined, digits = 2) => (a === undefined || !b ? "–" : (a / b).toFixed(digits));
const check = (ok: boolean | undefined) => (ok === undefined ? "not run" : ok ? "met" : "MISSED");

export function printReport(r: Results) {
  const sw = r.fanout.sweeps;
  for (const [name, steps] of Object.entries(sw)) r.fanout.sustained[name as ServerName] = sustained(steps);
  const fo = r.fanout.sustained;
  const idle = r.idle;
  const cs = r.coldStart;
  const ai = r.aiIsolation;
  const cross = r.crossInstance ? sustained(r.crossInstance) : undefined;
  const steps = (name: ServerName) => {
    const b = best(sw[name]);
    return b ? `${b.p50}/${b.p99}/${b.max}` : "–";
  };
  const rows: string[][] = [
    ["fan-out: delivered msg/s sustained (p99 ≤ 25 ms, 0 loss, generator kept up)", fmt(fo.project), fmt(fo.scaleout), fmt(fo.bare), fmt(fo.socketio), ratio(fo.project, fo.bare), ratio(fo.project, fo.socketio, 1), "≥ 0.60 of bare, ≥ 6× Socket.IO"],
    ["  p50/p99/max latency at that step (ms)", steps("project"), steps("scaleout"), steps("bare"), steps("socketio"), "", "", ""],
    ["durable sends: acked msg/s (DM pairs, window 64)", fmt(r.durable.project?.ackedPerSec), fmt(r.durable.scaleout?.ackedPerSec), "", "", "", "", "≥ 25,000 embedded, ≥ 10,000 Kafka+Mongo"],
    ["  last acked message readable from history after (ms)", fmt(r.durable.project?.readableMs), fmt(r.durable.scaleout?.readableMs), "", "", "", "", ""],
    [`idle memory: RSS per connection (${idle.project?.connections ?? "–"} open), KiB`, idle.project?.perConnectionKiB.toFixed(2) ?? "–", "", idle.bare?.perConnectionKiB.toFixed(2) ?? "–", idle.socketio?.perConnectionKiB.toFixed(2) ?? "–", ratio(idle.project?.perConnectionKiB, idle.bare?.perConnectionKiB), ratio(idle.project?.perConnectionKiB, idle.socketio?.perConnectionKiB), "≤ 4 KB (3.91 KiB)"],
    ["cross-instance: delivered msg/s on B, sent on A (sustained)", "", fmt(cross), "", "", "", "", ""],
    [`AI isolation: chat p99 at ${ai?.ratePerClient ?? "–"}/client, quiet → ${ai?.prompters ?? "–"} AI answers streaming (ms)`, ai ? `${ai.quiet.p99} → ${ai.withAi.p99}` : "–", "", "", "", "", "", ""],
    ["cold start pinned: spawn → listening / → /api/health 200 (median, ms)", cs ? `${cs.pinned.medianListeningMs} / ${cs.pinned.medianHealthyMs}` : "–", "", "", "", "", "", "≤ 300 ms"],
    ["cold start unpinned (median, ms)", cs ? `${cs.unpinned.medianListeningMs} / ${cs.unpinned.medianHealthyMs}` : "–", "", "", "", "", "", ""],
  ];
  console.log("\n| figure | project (embedded) | project (scale-out) | bare Bun | Socket.IO | project/bare Bun | project/Socket.IO | target |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);

  const have = (x: unknown) => x !== undefined;
  console.log("\nTargets:");
  const targets: [string, boolean | undefined][] = [
    [`fan-out ≥ 60 % of bare Bun (${ratio(fo.project, fo.bare)})`, have(fo.project) && have(fo.bare) ? fo.project! >= 0.6 * fo.bare! : undefined],
    [`fan-out ≥ 6× Socket.IO (${ratio(fo.project, fo.socketio, 1)})`, have(fo.project) && have(fo.socketio) ? fo.project! >= 6 * fo.socketio! : undefined],
    [`idle ≤ 4 KB per connection (${idle.project?.perConnectionKiB ?? "–"} KiB)`, idle.project ? idle.project.perConnectionKiB * 1024 <= 4000 : undefined],
    [`durable ≥ 25,000 acked/s embedded (${fmt(r.durable.project?.ackedPerSec)})`, r.durable.project ? r.durable.project.ackedPerSec >= 25_000 : undefined],
    [`durable ≥ 10,000 acked/s Kafka + MongoDB-wire (${fmt(r.durable.scaleout?.ackedPerSec)})`, r.durable.scaleout ? r.durable.scaleout.ackedPerSec >= 10_000 : undefined],
    [`cold start ≤ 300 ms embedded, pinned, to /api/health (${cs?.pinned.medianHealthyMs ?? "–"} ms)`, cs ? cs.pinned.medianHealthyMs <= 300 : undefined],
  ];
  for (const [what, ok] of targets) console.log(`  ${check(ok).padEnd(7)} ${what}`);
  for (const [what, why] of Object.entries(r.notRun)) console.log(`  not run: ${what}: ${why}`);

  console.log("\nFan-out sweeps (200 clients, rooms of 50; rate per client; delivered/s; p50/p99/max ms; loss; generator CPU):");
  const lines = Object.entries(sw).map(([n, s]) => [n, s] as const);
  if (r.crossInstance) lines.push(["cross-instance", r.crossInstance]);
  if (ai) lines.push(["ai: quiet", [ai.quiet]], ["ai: with AI", [ai.withAi]]);
  for (const [name, st] of lines) {
    for (const s of st) {
      const mark = !s.keptUp ? "  (generator fell behind: not counted)" : counted(s) ? "" : "  (over the limit)";
      const aiNote = s.aiDeltas !== undefined ? `  AI deltas ${s.aiDeltas}, answers ended ${s.aiStreamsEnded}` : "";
      console.log(
        `  ${name.padEnd(14)} ${String(s.ratePerClient).padStart(3)}/client ${fmt(s.deliveredPerSec).padStart(9)}/s  ${s.p50}/${s.p99}/${s.max} ms  loss ${s.loss}  cpu ${s.generatorCpu}${aiNote}${mark}`,
      );
    }
  }
}
