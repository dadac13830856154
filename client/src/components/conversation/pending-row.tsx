import { Show } from "solid-js";
import type { ErrorCode } from "../../../../src/protocol/index.ts";
import type { PendingMessage } from "../../sdk/chat-store.ts";
import { MessageText } from "../message-text.tsx";
import { ReplyQuote } from "./reply-quote.tsx";
import { PaperclipIcon } from "../icons.tsx";

/** Refusals a later retry can get past; anything else needs the text changed. */
export const retryable = (code: ErrorCode | undefined) => code === undefined || code === "rate_limited" || code === "unavailable" || code === "internal";

/** A message of ours the server has not stored yet: sending, or refused with the reason. */
export function PendingRow(props: { p: PendingMessage; onRetry: () => void; onEdit: () => void }) {
  const failed = () => props.p.status === "failed";
  return (
    <div data-testid="pending" class={`ml-11 rounded-md border-l-2 px-2 py-1 ${failed() ? "border-red-600 bg-red-50 dark:bg-red-950/40" : "border-blue-600 bg-blue-50 opacity-70 dark:bg-blue-950/40"}`}>
      <Show when={props.p.replyTo}>{(q) => <span class="text-xs"><ReplyQuote quote={q()} /></span>}</Show>
      <MessageText text={props.p.body} />
      <Show when={props.p.attachments?.length}>
        {(n) => <p class="text-xs text-slate-600 dark:text-slate-400"><PaperclipIcon class="mr-1 inline h-3 w-3" />{n()} file{n() > 1 ? "s" : ""}</p>}
      </Show>
      <p class="text-xs" data-testid="send-status" role={failed() ? "alert" : undefined}>
        <Show when={failed()} fallback={<span class="text-slate-600 dark:text-slate-400">{props.p.status === "sent" ? "sent" : "sending…"}</span>}>
          <span class="text-red-700 dark:text-red-400">Not sent: {props.p.error ?? "refused by the server"}</span>
          <Show when={retryable(props.p.code)}>
            <button type="button" class="ml-2 text-blue-700 underline dark:text-blue-300" onClick={props.onRetry}>Retry</button>
          </Show>
          <button type="button" class="ml-2 text-blue-700 underline dark:text-blue-300" onClick={props.onEdit}>Edit</button>
        </Show>
      </p>
    </div>
  );
}
