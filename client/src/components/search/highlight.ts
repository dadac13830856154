import type { Highlight } from "../../../../src/protocol/index.ts";

export interface Segment {
  text: string;
  mark: boolean;
}

/**
 * Cuts a body into plain and matched pieces by the server's highlight offsets (sorted, overlaps
 * merged, out-of-range clamped), so they can be rendered as text nodes and <mark>s, never as HTML.
 */
export function segments(body: string, highlights: readonly Highlight[]): Segment[] {
  const spans = [...highlights].sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  let at = 0;
  for (const h of spans) {
    const start = Math.max(at, Math.min(h.start, body.length));
    const end = Math.min(h.end, body.length);
    if (end <= start) continue;
    if (start > at) out.push({ text: body.slice(at, start), mark: false });
    out.push({ text: body.slice(start, end), mark: true });
    at = end;
  }
  if (at < body.length) out.push({ text: body.slice(at), mark: false });
  return out;
}

/** Whether a query can match: the server ignores words shorter than this (trigram matching). */
export const TERM_MIN = 3;
export const searchable = (q: string) => q.split(/\s+/).some((w) => [...w].length >= TERM_MIN);
