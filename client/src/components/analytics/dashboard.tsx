/** The administrators' analytics dashboard; loaded with uPlot only when opened (dynamic import). */
import { createSignal, For, onCleanup, onMount, Show } from "solid-js";
import type { AnalyticsRange, AnalyticsReport } from "../../../../src/protocol/index.ts";
import type { Chat } from "../../sdk/chat-store.ts";
import { humanError } from "../../sdk/errors.ts";
import { TimeChart, type Point } from "./time-chart.tsx";

/** The dashboard refreshes this often while open. */
const REFRESH_MS = 10_000;
const RANGES: { id: AnalyticsRange; label: string }[] = [
  { id: "24h", label: "24 hours" },
  { id: "7d", label: "7 days" },
  { id: "30d", label: "30 days" },
];
type SeriesKey = keyof AnalyticsReport["series"];
const CHARTS: { key: SeriesKey; title: string; color: string }[] = [
  { key: "messages", title: "Messages", color: "#2563eb" },
  { key: "activeUsers", title: "Active users (distinct senders)", color: "#059669" },
  { key: "peakConnections", title: "Peak concurrent connections", color: "#d97706" },
  { key: "signups", title: "New sign-ups", color: "#7c3aed" },
  { key: "aiRequests", title: "/ai requests", color: "#db2777" },
];
const card = "rounded-lg border border-slate-200 p-3 dark:border-slate-700";
const when = (t: number, hourly: boolean) =>
  new Date(t).toLocaleString([], hourly ? { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" } : { month: "short", day: "numeric" });

/** A series summed up for screen readers: the chart's accessible name. */
const summary = (title: string, points: readonly Point[]) => {
  const total = points.reduce((s, p) => s + p.n, 0);
  const peak = points.reduce((m, p) => Math.max(m, p.n), 0);
  return `${title}: ${points.length} buckets, total ${total}, highest ${peak}`;
};

function CountTable(props: { title: string; rows: { key: string; n: number }[]; testid: string }) {
  const max = () => Math.max(1, ...props.rows.map((r) => r.n));
  return (
    <section class={card} data-testid={props.testid}>
      <h3 class="mb-2 font-semibold">{props.title}</h3>
      <Show when={props.rows.length > 0} fallback={<p class="text-sm text-slate-600 dark:text-slate-300">None in this range.</p>}>
        <table class="w-full text-sm">
          <thead class="sr-only"><tr><th scope="col">Name</th><th scope="col">Count</th></tr></thead>
          <tbody>
            <For each={props.rows}>
              {(r) => (
                <tr>
                  <td class="w-1/2 truncate py-0.5 pr-2">{r.key}</td>
                  <td class="py-0.5">
                    <span class="flex items-center gap-2">
                      <span class="h-2 rounded bg-blue-600 dark:bg-blue-400" style={{ width: `${(r.n / max()) * 70}%` }} aria-hidden="true" />
                      {r.n}
                    </span>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </section>
  );
}

export default function Dashboard(props: { chat: Chat; onClose: () => void }) {
  let dialog!: HTMLDialogElement;
  const [range, setRange] = createSignal<AnalyticsRange>("24h");
  const [report, setReport] = createSignal<AnalyticsReport | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const roomName = (id: string) => props.chat.state.rooms.find((r) => r.id === id)?.name ?? id;

  let generation = 0;
  const load = async () => {
    const mine = ++generation;
    try {
      const r = await props.chat.api.analytics(range());
      if (mine !== generation) return;
      setReport(r);
      setError(null);
    } catch (err) {
      if (mine === generation) setError(humanError(err, { forbidden: "The dashboard is for administrators." }));
    }
  };
  const pick = (r: AnalyticsRange) => {
    setRange(r);
    void load();
  };

  onMount(() => {
    dialog.showModal();
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    onCleanup(() => clearInterval(timer));
  });

  const t = () => report()!.totals;
  const stats = () => [
    ["Messages", t().messages],
    ["Active users", t().activeUsers],
    ["Daily active", t().dau],
    ["Weekly active", t().wau],
    ["Peak connections", t().peakConnections],
    ["Sign-ups", t().signups],
    ["/ai requests", `${t().aiRequests} (${t().aiAnswered} answered, ${t().aiFailed} failed)`],
    ["/ai latency", t().aiLatencyMsAvg === null ? "–" : `avg ${Math.round(t().aiLatencyMsAvg!)} ms, max ${Math.round(t().aiLatencyMsMax ?? 0)} ms`],
  ] as const;

  return (
    <dialog ref={dialog} aria-labelledby="dashboard-heading" data-testid="dashboard" onClose={() => props.onClose()}
      class="m-auto h-[96vh] w-[min(72rem,98vw)] max-w-none rounded-lg bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100">
      <div class="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-700">
        <h2 id="dashboard-heading" class="font-semibold">Analytics</h2>
        <div role="group" aria-label="Range" class="flex gap-1">
          <For each={RANGES}>
            {(r) => (
              <button type="button" aria-pressed={range() === r.id} onClick={() => pick(r.id)}
                class={`rounded px-2 py-1 text-sm ${range() === r.id ? "bg-blue-700 text-white" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}>
                {r.label}
              </button>
            )}
          </For>
        </div>
        <span class="text-xs text-slate-600 dark:text-slate-300">Refreshes every {REFRESH_MS / 1000} s</span>
        <button type="button" class="ml-auto rounded px-2 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800" onClick={() => dialog.close()}>Close</button>
      </div>
      <div class="space-y-3 p-3">
        <p role="alert" class="text-sm text-red-700 dark:text-red-300">{error()}</p>
        <Show when={report()} fallback={<p class="text-sm">Loading…</p>}>
          {(rep) => (
            <>
              <dl class="grid grid-cols-2 gap-2 sm:grid-cols-4" data-testid="totals">
                <For each={stats()}>
                  {([label, value]) => (
                    <div class={card}>
                      <dt class="text-xs text-slate-600 dark:text-slate-300">{label}</dt>
                      <dd class="text-lg font-semibold">{value}</dd>
                    </div>
                  )}
                </For>
              </dl>
              <div class="grid gap-3 md:grid-cols-2">
                <For each={CHARTS}>
                  {(c) => (
                    <figure class={card} role="group" aria-labelledby={`chart-${c.key}`}>
                      <figcaption id={`chart-${c.key}`} class="mb-1 font-semibold">
                        {c.title} <span class="text-xs font-normal text-slate-600 dark:text-slate-300">per {rep().bucket}</span>
                      </figcaption>
                      <div role="img" aria-label={summary(c.title, rep().series[c.key])}>
                        <TimeChart label={c.title} points={rep().series[c.key]} color={c.color} hourly={rep().bucket === "hour"} />
                      </div>
                      <details class="mt-1 text-sm">
                        <summary class="cursor-pointer text-slate-700 dark:text-slate-300">Table</summary>
                        <table class="w-full">
                          <thead><tr><th scope="col" class="text-left">{rep().bucket === "hour" ? "Hour" : "Day"}</th><th scope="col" class="text-right">Count</th></tr></thead>
                          <tbody>
                            <For each={rep().series[c.key]}>
                              {(p) => <tr><td>{when(p.t, rep().bucket === "hour")}</td><td class="text-right">{p.n}</td></tr>}
                            </For>
                          </tbody>
                        </table>
                      </details>
                    </figure>
                  )}
                </For>
              </div>
              <div class="grid gap-3 md:grid-cols-3">
                <CountTable title="Top rooms" testid="top-rooms" rows={rep().topRooms.map((r) => ({ key: roomName(r.room), n: r.messages }))} />
                <CountTable title="Events by type" testid="events-by-type" rows={rep().eventsByType} />
                <CountTable title="Rejected frames by code" testid="rejected-frames" rows={rep().rejectedFrames} />
              </div>
            </>
          )}
        </Show>
      </div>
    </dialog>
  );
}
