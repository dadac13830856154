/**
 * `npm run chaos`: every fault of faults.ts in turn (scale-out ones when the engines of
 * scripts/engines are configured: TEST_REDIS_URL, TEST_KAFKA_BROKERS, TEST_MONGODB_URI), then a
 * table. Exits non-zero if anything acked was lost or duplicated, a client kept a gap, presence
 * did not settle, or a scenario failed. `--only=<text>` runs the faults whose name contains it.
 */
import { haveEngines } from "../support/engines.ts";
import { FAULTS } from "./faults.ts";
import { runScenario, type Result } from "./scenario.ts";

export function table(results: Result[]): string {
  const head = ["fault", "sent", "acked", "stored", "delivered", "lost", "dup", "gaps", "rejected", "recover ms", "presence"];
  const rows = results.map((r) => [
    r.error ? `${r.fault} (FAILED: ${r.error})` : r.fault,
    ...[r.sent, r.acked, r.stored, r.delivered, r.lost, r.duplicated, r.gaps, r.rejected, r.recoverMs].map(String),
    r.presenceOk ? "ok" : "NO",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export const passed = (r: Result) => !r.error && r.lost === 0 && r.duplicated === 0 && r.gaps === 0 && r.presenceOk;

if (import.meta.main) {
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
  const engines = haveEngines("redis", "kafka", "mongodb");
  const chosen = FAULTS.filter((f) => (!only || f.name.includes(only)) && (f.mode === "embedded" || engines));
  if (!engines) console.log("scale-out faults skipped: start the engines with scripts/engines and export TEST_* (see README)");
  const started = Date.now();
  const results: Result[] = [];
  for (const f of chosen) results.push(await runScenario(f, (l) => console.log(`[chaos] ${l}`)));
  console.log(`\n${table(results)}\n\n${results.length} faults in ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(results.every(passed) ? 0 : 1);
}
