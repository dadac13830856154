import { RetryableAiError, type AiModel, type AiRequest } from "../../ports/ai-model.ts";
import type { AiOutcome } from "./ai-protocol.ts";
import { backoffMs } from "../../domain/backoff.ts";

export interface StreamPolicy {
  timeoutMs: number;
  maxRetries: number;
  backoffMs?: number;
}

/**
 * Streams one answer: retries (with exponential backoff) timeouts, 429s and 5xx that happen before
 * any text arrived; once text has arrived, a failure keeps what came and ends "incomplete".
 */
export async function streamAnswer(
  model: AiModel,
  request: AiRequest,
  policy: StreamPolicy,
  onDelta: (text: string) => void,
): Promise<{ outcome: AiOutcome; error?: string }> {
  const backoff = policy.backoffMs ?? 500;
  for (let attempt = 0; ; attempt++) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, policy.timeoutMs);
    let received = 0;
    try {
      for await (const text of model.stream(request, controller.signal)) {
        if (timedOut) break;
        received++;
        onDelta(text);
      }
      if (timedOut) throw new RetryableAiError("model timed out");
      return { outcome: "complete" };
    } catch (err) {
      const error = timedOut ? "model timed out" : err instanceof Error ? err.message : "model failed";
      if (received > 0) return { outcome: "incomplete", error: timedOut ? error : "the answer was cut off" };
      const retryable = timedOut || err instanceof RetryableAiError;
      if (!retryable || attempt >= policy.maxRetries) return { outcome: "failed", error };
      await new Promise((r) => setTimeout(r, backoffMs(attempt, { firstMs: backoff, maxMs: Infinity, jitter: true })));
    } finally {
      clearTimeout(timer);
    }
  }
}
