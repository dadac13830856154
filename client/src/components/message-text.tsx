import { For, Match, Switch, type JSX } from "solid-js";
import { parseBlocks, type Inline } from "./conversation/markdown.ts";

function InlineNodes(props: { nodes: Inline[]; me?: string }): JSX.Element {
  return (
    <For each={props.nodes}>
      {(n) => (
        <Switch>
          <Match when={n.kind === "text" && n}>{(t) => t().text}</Match>
          <Match when={n.kind === "code" && n}>
            {(c) => <code class="rounded bg-slate-100 px-1 font-mono text-[0.9em] dark:bg-slate-800">{c().text}</code>}
          </Match>
          <Match when={n.kind === "bold" && n}>{(b) => <strong><InlineNodes nodes={b().children} me={props.me} /></strong>}</Match>
          <Match when={n.kind === "italic" && n}>{(i) => <em><InlineNodes nodes={i().children} me={props.me} /></em>}</Match>
          <Match when={n.kind === "link" && n}>
            {(l) => (
              <a class="text-blue-700 underline dark:text-blue-300" href={l().href} target="_blank" rel="noopener noreferrer">
                <InlineNodes nodes={l().children} me={props.me} />
              </a>
            )}
          </Match>
          <Match when={n.kind === "mention" && n}>
            {(m) => (
              // Mentions of me stand out more than mentions of others.
              <span data-testid="mention" data-me={m().name === props.me ? "true" : undefined}
                class={`rounded px-0.5 font-medium ${m().name === props.me ? "bg-amber-200 text-amber-950 dark:bg-amber-700 dark:text-amber-50" : "bg-blue-100 text-blue-900 dark:bg-blue-900 dark:text-blue-100"}`}>
                @{m().name}
              </span>
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
export function MessageText(props: {
  text: string;
  /** My username: mentions of me are marked stronger. */
  me?: string;
  /** Shown at the end of the text: inside a closing paragraph (as "(edited)" is), else on its own line. */
  suffix?: JSX.Element;
}) {
  const blocks = () => parseBlocks(props.text);
  const endsInParagraph = () => blocks().at(-1)?.kind === "paragraph";
  return (
    <div class="min-w-0 break-words [overflow-wrap:anywhere]" data-testid="message-body">
      <For each={blocks()}>
        {(b, at) => (
          <Switch>
            <Match when={b.kind === "paragraph" && b}>
              {(p) => (
                <p class="whitespace-pre-wrap">
                  <For each={p().lines}>{(line, i) => <>{i() > 0 ? "\n" : ""}<InlineNodes nodes={line} me={props.me} /></>}</For>
                  {at() === blocks().length - 1 ? props.suffix : null}
                </p>
              )}
            </Match>
            <Match when={b.kind === "codeblock" && b}>
              {(c) => <pre class="my-1 overflow-x-auto rounded bg-slate-100 p-2 font-mono text-sm dark:bg-slate-800"><code>{c().text}</code></pre>}
            </Match>
            <Match when={b.kind === "list" && b}>
              {(l) => {
                const items = () => <For each={l().items}>{(item) => <li><InlineNodes nodes={item} me={props.me} /></li>}</For>;
                return l().ordered ? <ol class="list-decimal pl-6">{items()}</ol> : <ul class="list-disc pl-6">{items()}</ul>;
              }}
            </Match>
          </Switch>
        )}
      </For>
      {endsInParagraph() ? null : props.suffix}
    </div>
  );
}
