/**
 * Exponential backoff, one formula for every retry loop: `firstMs` doubled per attempt (0-based),
 * capped at `maxMs`. With `jitter`, a random 50–100 % of that, so callers that failed together do
 * not retry together.
 */
export function backoffMs(attempt: number, { firstMs = 500, maxMs = 10_000, jitter = false } = {}): number {
  const ms = Math.min(firstMs * 2 ** attempt, maxMs);
  return jitter ? ms * (0.5 + Math.random() / 2) : ms;
}
