import { SEARCH_LIMITS, type Highlight } from "../../protocol/index.ts";

/**
 * The query's terms: whitespace-separated, lowercased, deduplicated, each at least 3 characters
 * (trigram matching cannot see shorter ones). A message matches when its body contains every term.
 */
export function searchTerms(q: string): string[] {
  const terms = q
    .toLowerCase()
    .split(/\s+/)
    .filter((t) => [...t].length >= SEARCH_LIMITS.termMin);
  return [...new Set(terms)].slice(0, SEARCH_LIMITS.termsMax);
}

/** Where the terms occur in the body (case-insensitive), merged into sorted, non-overlapping ranges. */
export function highlightRanges(body: string, terms: readonly string[]): Highlight[] {
  const lower = body.toLowerCase();
  // toLowerCase can change the length of a few characters; offsets are only exact when it did not.
  if (lower.length !== body.length) return [];
  const ranges: Highlight[] = [];
  for (const term of terms) {
    for (let at = lower.indexOf(term); at >= 0; at = lower.indexOf(term, at + 1)) ranges.push({ start: at, end: at + term.length });
  }
  ranges.sort((a, b) => a.start - b.start);
  const merged: Highlight[] = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}
