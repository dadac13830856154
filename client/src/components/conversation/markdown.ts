/**
 * A small, safe Markdown subset: **bold**, *italic* / _italic_, `code`, ``` code blocks ```, links
 * ([text](https://…) and bare http(s) URLs), @mentions and - / 1. lists. It parses to plain data; the renderer
 * turns that into DOM nodes, so nothing in a message ever becomes HTML.
 */
export type Inline =
  | { kind: "text"; text: string }
  | { kind: "code"; text: string }
  | { kind: "bold" | "italic"; children: Inline[] }
  | { kind: "link"; href: string; children: Inline[] }
  /** `@username` (the server's username rule); `name` without the @. */
  | { kind: "mention"; name: string };

export type Block =
  | { kind: "paragraph"; lines: Inline[][] }
  | { kind: "codeblock"; text: string }
  | { kind: "list"; ordered: boolean; items: Inline[][] };

const FENCE = /^```/;
const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,3}[.)]\s+(.*)$/;

/** Only http(s) links are ever made clickable: no javascript:, data: or relative URLs. */
export function safeHref(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

export function parseBlocks(text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  let paragraph: Inline[][] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: "paragraph", lines: paragraph });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FENCE.test(line)) {
      const end = lines.findIndex((l, j) => j > i && FENCE.test(l));
      if (end > i) {
        flush();
        blocks.push({ kind: "codeblock", text: lines.slice(i + 1, end).join("\n") });
        i = end;
        continue;
      }
    }
    const item = BULLET.exec(line) ?? NUMBERED.exec(line);
    if (item) {
      flush();
      const ordered = !BULLET.test(line);
      const last = blocks.at(-1);
      const inline = parseInline(item[1]!);
      if (last?.kind === "list" && last.ordered === ordered) last.items.push(inline);
      else blocks.push({ kind: "list", ordered, items: [inline] });
      continue;
    }
    paragraph.push(parseInline(line));
  }
  flush();
  return blocks;
}

// Earliest match wins; ties go to the first pattern in this list.
const INLINE: { re: RegExp; make: (m: RegExpExecArray) => Inline | null }[] = [
  { re: /`([^`\n]+)`/, make: (m) => ({ kind: "code", text: m[1]! }) },
  {
    re: /\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)/,
    make: (m) => {
      const href = safeHref(m[2]!);
      return href ? { kind: "link", href, children: parseInline(m[1]!) } : null;
    },
  },
  {
    re: /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/,
    make: (m) => {
      const href = safeHref(m[0]);
      return href ? { kind: "link", href, children: [{ kind: "text", text: m[0] }] } : null;
    },
  },
  // The server's mention grammar (src/domain/mentions.ts): not inside a word or an e-mail address.
  { re: /(?<![A-Za-z0-9_@.])@([a-z0-9_]{3,32})(?![A-Za-z0-9_])/, make: (m) => ({ kind: "mention", name: m[1]! }) },
  { re: /\*\*(?=\S)([^\n]*?\S)\*\*/, make: (m) => ({ kind: "bold", children: parseInline(m[1]!) }) },
  { re: /(?<![\w*])\*(?=[^\s*])([^\n*]*?[^\s*])\*(?![\w*])/, make: (m) => ({ kind: "italic", children: parseInline(m[1]!) }) },
  { re: /(?<!\w)_(?=\S)([^\n_]*?\S)_(?!\w)/, make: (m) => ({ kind: "italic", children: parseInline(m[1]!) }) },
];

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let rest = text;
  while (rest) {
    let best: { index: number; length: number; node: Inline } | null = null;
    for (const { re, make } of INLINE) {
      const m = re.exec(rest);
      if (!m || (best && m.index >= best.index)) continue;
      const node = make(m);
      if (node) best = { index: m.index, length: m[0].length, node };
    }
    if (!best) break;
    if (best.index > 0) out.push({ kind: "text", text: rest.slice(0, best.index) });
    out.push(best.node);
    rest = rest.slice(best.index + best.length);
  }
  if (rest) out.push({ kind: "text", text: rest });
  return out;
}
