import { Show } from "solid-js";
import type { ReplyRef } from "../../../../src/protocol/index.ts";

/**
 * The message a reply answers: sender and a snippet as that message is now ("deleted" once it is).
 * A click shows the original. `onJump` absent: a plain quote (the composer's "replying to").
 */
export function ReplyQuote(props: { quote: ReplyRef; onJump?: () => void }) {
  const text = () => (props.quote.deleted ? "Original message deleted" : props.quote.snippet.replace(/\s+/g, " "));
  const body = (
    <>
      <span class="font-semibold">{props.quote.fromName}</span>{" "}
      <span class={props.quote.deleted ? "italic" : ""}>{text()}</span>
    </>
  );
  return (
    <Show when={props.onJump} fallback={<span class="block truncate" data-testid="reply-quote">{body}</span>}>
      <button type="button" data-testid="reply-quote" onClick={() => props.onJump!()}
        aria-label={`Reply to ${props.quote.fromName}: ${text()}. Show the original`}
        class="mb-0.5 block max-w-full truncate border-l-2 border-slate-400 pl-2 text-left text-xs text-slate-700 hover:text-slate-950 dark:border-slate-500 dark:text-slate-300 dark:hover:text-white">
        {body}
      </button>
    </Show>
  );
}
