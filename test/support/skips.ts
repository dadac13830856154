import { describe, test } from "bun:test";

/** Suites left out of this run and why; the preload prints them in one line at the end. */
const skipped: string[] = [];
export const skippedSuites = (): readonly string[] => skipped;

/**
 * `describe` when `ready`, else one named skipped test in its place. (`describe.skipIf` would list
 * the suite's beforeAll/afterAll hooks as "(unnamed)" skipped tests.)
 */
export function describeIf(ready: boolean, label: string, why: string, fn: () => void): void {
  if (ready) return describe(label, fn);
  skipped.push(`${label} (${why})`);
  describe(label, () => test.skip(`skipped: ${why}`, () => {}));
}
