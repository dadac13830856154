/** The `:partial` shortcode being typed right before the caret, if any (at least two letters). */
export function shortcodeAt(text: string, caret: number): { start: number; query: string } | null {
  const m = /(?:^|\s):([a-z0-9_+-]{2,30})$/.exec(text.slice(0, caret));
  return m ? { start: caret - m[1]!.length - 1, query: m[1]! } : null;
}
