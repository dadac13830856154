import { For } from "solid-js";

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/g;

/** Message text rendered as text nodes (never HTML); http(s) links become safe anchors. */
export function MessageText(props: { text: string }) {
  const parts = () => {
    const out: { text: string; href?: string }[] = [];
    let last = 0;
    for (const m of props.text.matchAll(URL_RE)) {
      if (m.index! > last) out.push({ text: props.text.slice(last, m.index) });
      out.push({ text: m[0], href: m[0] });
      last = m.index! + m[0].length;
    }
    if (last < props.text.length) out.push({ text: props.text.slice(last) });
    return out;
  };
  return (
    <span class="whitespace-pre-wrap break-words">
      <For each={parts()}>
        {(p) => (p.href ? <a class="underline" href={p.href} target="_blank" rel="noopener noreferrer">{p.text}</a> : p.text)}
      </For>
    </span>
  );
}
