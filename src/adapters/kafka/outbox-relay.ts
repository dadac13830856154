/**
 * Publishes what is left in the outbox: messages Kafka could not take (parked) and messages whose
 * instance died before Kafka acked them. Claims entries atomically so several instances can run it;
 * a failed publish is retried with exponential backoff up to the configured cap.
 */
import type { BatchingProducer } from "./batching-producer.ts";
import { outboxKey, type RedisPipelineState } from "../redis/pipeline-state.ts";
import { errorFields, type Logger } from "../../observability/logger.ts";
import { backoffMs } from "../../domain/backoff.ts";

const CLAIM_LEASE_MS = 60_000;
const CLAIM_MAX = 500;

export function startOutboxRelay(opts: { state: RedisPipelineState; producer: BatchingProducer; firstRetryMs: number; maxRetryMs: number; log: Logger }) {
  const { state, producer, firstRetryMs, maxRetryMs, log } = opts;
  let running = true;
  let wake: (() => void) | null = null;

  const loop = (async () => {
    while (running) {
      let claimed = 0;
      try {
        const due = await state.claimDue(Date.now(), CLAIM_LEASE_MS, CLAIM_MAX);
        claimed = due.length;
        const results = await Promise.allSettled(due.map((e) => producer.send(e.message)));
        const ok = due.filter((_, i) => results[i]!.status === "fulfilled");
        await state.published(ok.map(outboxKey));
        await state.retryLater(
          due
            .filter((_, i) => results[i]!.status === "rejected")
            .map((e) => ({
              entry: { ...e, attempts: e.attempts + 1 },
              retryAt: Date.now() + backoffMs(e.attempts + 1, { firstMs: firstRetryMs, maxMs: maxRetryMs }),
            })),
        );
        if (ok.length) log.info("parked messages re-published", { count: ok.length });
      } catch (err) {
        log.warn("parked retry failed", errorFields(err));
      }
      // A full claim means more are due: go on at once.
      if (claimed < CLAIM_MAX && running) await new Promise<void>((r) => ((wake = r), setTimeout(r, Math.min(1000, firstRetryMs))));
    }
  })();

  return {
    async close() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
