/**
 * The search benchmark's messages and queries: generated from a fixed seed, so every run (and both
 * modes) searches the same 100,000 bodies with the same queries. Bodies mix common and rare words,
 * identifiers and URLs, like a team's chat; queries are whole words, partial words, identifiers and
 * URL pieces, half of them filtered to one room.
 */

/** mulberry32: a small deterministic PRNG (Math.random cannot be seeded). */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ["ka", "lo", "mi", "ren", "tor", "va", "qu", "sel", "dan", "pex", "ul", "bri", "os", "ne", "zar", "fi", "gom", "hy", "ja", "wet"];
const COMMON = ["the", "deploy", "meeting", "release", "review", "please", "check", "build", "thanks", "tomorrow", "server", "error", "update", "ticket", "design"];
const HOSTS = ["docs.example.com", "git.example.org", "wiki.internal.net", "status.example.io"];

/** A vocabulary of 3,000 pseudo-words (2–4 syllables), the long tail that makes a word rare. */
const vocabulary = (() => {
  const r = prng(7);
  const out = new Set<string>();
  while (out.size < 3000) {
    const n = 2 + Math.floor(r() * 3);
    out.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(r() * SYLLABLES.length)]).join(""));
  }
  return [...out];
})();

const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
/** Zipf-like: low indices far more often (common words), a long tail of rare ones. */
const skewed = (r: () => number) => vocabulary[Math.floor(vocabulary.length * r() ** 3)]!;
const identifier = (r: () => number) => `${pick(r, ["ERR", "JIRA", "build", "user_id", "pod"])}_${Math.floor(r() * 5000)}`;
const url = (r: () => number) => `https://${pick(r, HOSTS)}/${skewed(r)}/${pick(r, ["guide", "issues", "runbook"])}-${Math.floor(r() * 900)}`;

/** The `i`-th message body (deterministic). */
export function body(i: number): string {
  const r = prng(1000 + i);
  const words: string[] = [];
  const n = 6 + Math.floor(r() * 14);
  for (let k = 0; k < n; k++) words.push(r() < 0.4 ? pick(r, COMMON) : skewed(r));
  if (r() < 0.2) words.splice(Math.floor(r() * words.length), 0, identifier(r));
  if (r() < 0.1) words.push(url(r));
  return words.join(" ");
}

export type QueryKind = "word" | "partial" | "identifier" | "url";
export interface BenchQuery {
  kind: QueryKind;
  q: string;
  /** Index into the rooms the searcher is in; undefined: all their rooms. */
  room?: number;
}

/** A fixed mix of `n` queries over `rooms` rooms: a quarter of each kind, every other one with a room filter. */
export function queries(n: number, rooms: number): BenchQuery[] {
  const r = prng(42);
  const kinds: QueryKind[] = ["word", "partial", "identifier", "url"];
  return Array.from({ length: n }, (_, i) => {
    const kind = kinds[i % kinds.length]!;
    const word = r() < 0.5 ? pick(r, COMMON) : skewed(r);
    const q =
      kind === "word"
        ? word
        : kind === "partial"
          ? skewed(r).slice(1, 5) // the middle of a word: substring search
          : kind === "identifier"
            ? identifier(r)
            : `${pick(r, HOSTS)}/${skewed(r)}`;
    return i % 2 === 0 ? { kind, q, room: Math.floor(r() * rooms) } : { kind, q };
  });
}
