import type { ChatMessage } from "../../../../src/protocol/index.ts";

/** At most this many messages are in the DOM at once, whatever the length of the history. */
export const WINDOW = 150;
/** How many messages the window moves by when the reader nears one of its edges. */
export const STEP = 50;

/** The rendered slice of a room, by seq: `to: null` means "up to the newest" (the list follows new messages). */
export interface Range {
  from: number;
  to: number | null;
}

/** Index of the first message with seq ≥ `seq` (messages are sorted by seq). */
export function indexOfSeq(all: readonly ChatMessage[], seq: number): number {
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const sliceOf = (all: readonly ChatMessage[], r: Range) =>
  all.slice(indexOfSeq(all, r.from), r.to === null ? all.length : indexOfSeq(all, r.to + 1));

/** The range covering indexes [start, end) of `all`. */
export function rangeOf(all: readonly ChatMessage[], start: number, end: number): Range {
  const s = Math.max(0, Math.min(start, all.length - 1));
  return { from: all[s]?.seq ?? 0, to: end >= all.length ? null : all[end - 1]!.seq };
}

/** The newest WINDOW messages. */
export const latestRange = (all: readonly ChatMessage[]) => rangeOf(all, all.length - WINDOW, all.length);
