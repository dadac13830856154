/**
 * The results document, and its rendering: the table printed on stdout and written into README.md
 * between the bench markers by the same `npm run bench` invocation that measured it. Every figure
 * in the table is read from the results; a section that did not run says so, with why.
 */
import type { AiIsolationResult, ColdStartResult, IdleResult } from "./scenarios.ts";
import type { ServerName } from "./servers.ts";
import { renderSearch, type SearchResults } from "./search/report.ts";
import { held, P99_LIMIT_MS, sustainedStep, type FanoutStep, type Sweep } from "./sweep.ts";

export interface Results {
  date: string;
  quick: boolean;
  /** The sections asked for (null: all). */
  only: string[] | null;
  machine: Record<string, unknown>;
  raisedLimits: Record<string, string>;
  fanout: { rooms: number; roomSize: number; stepMs: number; sweeps: Partial<Record<ServerName, Sweep>> };
  durable: Partial<Record<"project" | "scaleout", Sweep & { rooms: number }>>;
  idle: Partial<Record<ServerName, IdleResult>>;
  crossInstance?: Sweep;
  aiIsolation?: AiIsolationResult;
  coldStart?: ColdStartResult;
  search?: SearchResults;
  notRun: Record<string, string>;
  totalSeconds?: number;
}

const num = (n: number) => Math.round(n).toLocaleString("en-US");

/** A sweep's limit: exact when the server failed the next step, a lower bound when it never did. */
interface Limit {
  value: number;
  reached: boolean;
  step?: FanoutStep;
}
const limitOf = (s: Sweep | undefined, pick: (st: FanoutStep) => number = (st) => st.deliveredPerSec): Limit | undefined => {
  if (!s) return undefined;
  const step = sustainedStep(s.steps);
  return { value: step ? pick(step) : 0, reached: s.stoppedBy === "server", step };
};
const showLimit = (l: Limit | undefined, sweep?: Sweep) => {
  if (!l) return "not run";
  if (l.reached) return num(l.value);
  if (!l.step) return "not measured (the generator fell behind at the first step)";
  return `≥ ${num(l.value)} (not reached: ${sweep?.stoppedBy === "generator" ? "the generator's limit" : "top rate held"})`;
};
/** a / b with what is known of each: a lower bound over an exact value is a lower bound, etc. */
const showRatio = (a: Limit | undefined, b: Limit | undefined, suffix = "") => {
  if (!a || !b || b.value === 0) return "–";
  const r = (a.value / b.value).toFixed(2) + suffix;
  if (a.reached && b.reached) return r;
  if (!a.reached && b.reached) return `≥ ${r}`;
  if (a.reached && !b.reached) return `≤ ${r}`;
  return `? (${r}, neither limit reached)`;
};
const latencies = (l: Limit | undefined) => (l?.step ? `${l.step.p50} / ${l.step.p99} / ${l.step.max}` : "–");

/** Targets from issue 14; undefined when a figure needed is missing. Bounds count only when they decide. */
function targets(r: Results): [string, boolean | undefined][] {
  const sw = r.fanout.sweeps;
  const project = limitOf(sw.project);
  const bare = limitOf(sw.bare);
  const cf = limitOf(sw.centrifugo);
  const durable = limitOf(r.durable.project, (s) => s.ackedPerSec ?? 0);
  const decide = (a: Limit | undefined, b: Limit | undefined, factor: number) => {
    if (!a || !b) return undefined;
    if (a.value >= factor * b.value && b.reached) return true; // b exact, a at least this
    if (a.value < factor * b.value && a.reached) return false; // a exact and below
    return undefined; // bounds that do not decide
  };
  return [
    [`embedded fan-out ≥ 0.4 of bare Bun's limit (${showRatio(project, bare)})`, decide(project, bare, 0.4)],
    [`embedded fan-out ≥ 1.5× Centrifugo's (${showRatio(project, cf, "×")})`, decide(project, cf, 1.5)],
    [`durable sends ≥ 20,000 acked/s at ack p99 ≤ ${P99_LIMIT_MS} ms, embedded (${showLimit(durable, r.durable.project)})`, durable ? durable.value >= 20_000 || (durable.reached ? false : undefined) : undefined],
    [`idle ≤ 4 KB per authenticated connection (${r.idle.project?.perConnectionKiB ?? "–"} KiB)`, r.idle.project ? r.idle.project.perConnectionKiB * 1024 <= 4000 : undefined],
    [`cold start ≤ 300 ms embedded, pinned, to /api/health (${r.coldStart?.pinned.medianHealthyMs ?? "–"} ms)`, r.coldStart ? r.coldStart.pinned.medianHealthyMs <= 300 : undefined],
  ];
}

/** The results as Markdown: summary table, targets, what did not run, and every sweep step. */
export function renderMarkdown(r: Results): string {
  const sw = r.fanout.sweeps;
  const lim = {
    project: limitOf(sw.project),
    scaleout: limitOf(sw.scaleout),
    bare: limitOf(sw.bare),
    centrifugo: limitOf(sw.centrifugo),
    socketio: limitOf(sw.socketio),
  };
  const idle = (n: ServerName) => (r.idle[n] ? r.idle[n]!.perConnectionKiB.toFixed(2) : r.notRun[`idle ${n}`] ? "failed" : "not run");
  const durable = (n: "project" | "scaleout") => {
    const l = limitOf(r.durable[n], (s) => s.ackedPerSec ?? 0);
    return l?.step ? `${showLimit(l, r.durable[n])} (ack p99 ${l.step.ackP99} ms)` : showLimit(l, r.durable[n]);
  };
  const ai = r.aiIsolation;
  const cs = r.coldStart;
  const cross = limitOf(r.crossInstance);
  const out: string[] = [];
  out.push(
    `Run of ${r.date} (${r.quick ? "quick, " : ""}${(r.totalSeconds ?? 0).toFixed(0)} s; ${String(r.machine.cpus)} CPUs; servers on CPU ${String(r.machine.serverCpu)}, ` +
      `generators on CPU ${String(r.machine.generatorCpus)}). Written by \`npm run bench\` from \`bench/results/latest.json\`; "≥" marks a limit the sweep did not reach.`,
    "",
    "| figure | project embedded | project scale-out | bare Bun | Centrifugo | Socket.IO |",
    "|---|---|---|---|---|---|",
    `| fan-out: delivered msg/s sustained (p99 ≤ ${P99_LIMIT_MS} ms, 0 loss, at that step and all below; 200 clients, rooms of 50) | ${showLimit(lim.project, sw.project)} | ${showLimit(lim.scaleout, sw.scaleout)} | ${showLimit(lim.bare, sw.bare)} | ${showLimit(lim.centrifugo, sw.centrifugo)} | ${showLimit(lim.socketio, sw.socketio)} |`,
    `| p50 / p99 / max latency at that step (ms) | ${latencies(lim.project)} | ${latencies(lim.scaleout)} | ${latencies(lim.bare)} | ${latencies(lim.centrifugo)} | ${latencies(lim.socketio)} |`,
    `| project embedded / this server (fan-out) | 1 | ${showRatio(lim.project, lim.scaleout)} | ${showRatio(lim.project, lim.bare)} | ${showRatio(lim.project, lim.centrifugo)} | ${showRatio(lim.project, lim.socketio)} |`,
    `| durable sends: acked msg/s with ack p99 ≤ ${P99_LIMIT_MS} ms, all delivered (100 rooms of 2, both sending) | ${durable("project")} | ${durable("scaleout")} | | | |`,
    `| idle memory: RSS per connection, KiB (${r.idle.project?.connections ?? "–"} open; project: one account each, authenticated) | ${idle("project")} | | ${idle("bare")} | ${idle("centrifugo")} | ${idle("socketio")} |`,
    `| cross-instance: delivered msg/s on B, sent on A (sustained) | | ${r.crossInstance ? showLimit(cross, r.crossInstance) : "not run"} | | | |`,
    `| AI isolation: chat p99 at ${ai ? num(ai.quiet.deliveredPerSec) : "–"} delivered/s, quiet → ${ai?.prompters ?? "–"} answers streaming (ms) | ${ai ? `${ai.quiet.p99} → ${ai.withAi.p99} (${num(ai.withAi.aiDeltas ?? 0)} AI deltas in the step)` : "not run"} | | | | |`,
    `| cold start: spawn → /api/health 200, median pinned (unpinned), ms | ${cs ? `${cs.pinned.medianHealthyMs} (${cs.unpinned.medianHealthyMs})` : "not run"} | | | | |`,
    "",
    "Targets (issue 14):",
    "",
  );
  const mark = (ok: boolean | undefined) => (ok === undefined ? "not decided" : ok ? "met" : "MISSED");
  for (const [what, ok] of targets(r)) out.push(`- ${mark(ok)}: ${what}`);
  if (r.search) out.push("", renderSearch(r.search, (s) => showLimit(limitOf(s), s)));
  const notRun = Object.entries(r.notRun);
  if (notRun.length) {
    out.push("", "Not run or failed:", "");
    for (const [what, why] of notRun) out.push(`- ${what}: ${why}`);
  }
  if (ai?.threadsWithAi) {
    out.push("", `Server threads while the AI answers streamed (share of its one core): ${Object.entries(ai.threadsWithAi).map(([t, s]) => `${t} ${s}`).join(", ")}.`);
  }
  out.push("", "<details><summary>Every sweep step</summary>", "", "| sweep | rate/client | delivered/s | acked/s | p50/p99/max ms | ack p99 ms | loss | unacked | generator CPU (max of n) | result |", "|---|---|---|---|---|---|---|---|---|---|");
  const lines: [string, Sweep | undefined][] = [
    ...Object.entries(sw).map(([n, s]) => [`fan-out ${n}`, s] as [string, Sweep]),
    ["durable project", r.durable.project],
    ["durable scale-out", r.durable.scaleout],
    ["cross-instance", r.crossInstance],
  ];
  if (ai) lines.push(["AI: quiet", { steps: [ai.quiet], stoppedBy: "top" }], ["AI: streaming", { steps: [ai.withAi], stoppedBy: "top" }]);
  for (const [name, s] of lines) {
    if (!s) continue;
    for (const st of s.steps) {
      const result = held(st) ? "held" : !st.keptUp ? "generator fell behind" : "failed";
      out.push(
        `| ${name} | ${st.ratePerClient} | ${num(st.deliveredPerSec)} | ${st.ackedPerSec === undefined ? "" : num(st.ackedPerSec)} | ${st.p50}/${st.p99}/${st.max} | ${st.ackP99 ?? ""} | ${st.loss} | ${st.unacked ?? ""} | ${st.generatorCpu} (${st.generators}) | ${result} |`,
      );
    }
  }
  out.push("", "</details>");
  return out.join("\n");
}

export const README_START = "<!-- bench:results:start (written by npm run bench; do not edit) -->";
export const README_END = "<!-- bench:results:end -->";

/** Replaces what is between the markers in README.md with the rendered results. */
export async function writeReadme(path: string, markdown: string): Promise<void> {
  const text = await Bun.file(path).text();
  const a = text.indexOf(README_START);
  const b = text.indexOf(README_END);
  if (a < 0 || b < a) throw new Error(`README.md has no bench markers (${README_START} … ${README_END})`);
  await Bun.write(path, text.slice(0, a + README_START.length) + "\n" + markdown + "\n" + text.slice(b));
}
