import { For, Match, Switch, type JSX } from "solid-js";
import { parseBlocks, type Inline } from "./conversation/markdown.ts";

function InlineNodes(props: { nodes: Inline[] }): JSX.Element {
  return (
    <For each={props.nodes}>
      {(n) => (
        <Switch>
          <Match when={n.kind === "text" && n}>{(t) => t().text}</Match>
          <Match when={n.kind === "code" && n}>
            {(c) => <code class="rounded bg-slate-100 px-1 font-mono text-[0.9em] dark:bg-slate-800">{c().text}</code>}
          </Match>
          <Match when={n.kind === "bold" && n}>{(b) => <strong><InlineNodes nodes={b().children} /></strong>}</Match>
          <Match when={n.kind === "italic" && n}>{(i) => <em><InlineNodes nodes={i().children} /></em>}</Match>
          <Match when={n.kind === "link" && n}>
            {(l) => (
              <a class="text-blue-700 underline dark:text-blue-300" href={l().href} target="_blank" rel="noopener noreferrer">
                <InlineNodes nodes={l().children} />
              </a>
            )}
          </Match>
        </Switch>
      )}
    </For>
  );
}

/**
 * Message text as DOM nodes built from the Markdown subset in markdown.ts — never innerHTML, so a
 * message can't inject markup; only http(s) links become anchors.
 */
export function MessageText(props: { text: string }) {
  const blocks = () => parseBlocks(props.text);
  return (
    <div class="min-w-0 break-words [overflow-wrap:anywhere]" data-testid="message-body">
      <For each={blocks()}>
        {(b) => (
          <Switch>
            <Match when={b.kind === "paragraph" && b}>
              {(p) => (
                <p class="whitespace-pre-wrap">
                  <For each={p().lines}>{(line, i) => <>{i() > 0 ? "\n" : ""}<InlineNodes nodes={line} /></>}</For>
                </p>
              )}
            </Match>
            <Match when={b.kind === "codeblock" && b}>
              {(c) => <pre class="my-1 overflow-x-auto rounded bg-slate-100 p-2 font-mono text-sm dark:bg-slate-800"><code>{c().text}</code></pre>}
            </Match>
            <Match when={b.kind === "list" && b}>
              {(l) => {
                const items = () => <For each={l().items}>{(item) => <li><InlineNodes nodes={item} /></li>}</For>;
                return l().ordered ? <ol class="list-decimal pl-6">{items()}</ol> : <ul class="list-disc pl-6">{items()}</ul>;
              }}
            </Match>
          </Switch>
        )}
      </For>
    </div>
  );
}
