import { Show } from "solid-js";
import type { Chat } from "../../sdk/chat-store.ts";

/** Says when the live connection is down, and lets the user skip the backoff wait. */
export function ConnectionBanner(props: { chat: Chat }) {
  const state = () => props.chat.state.connection;
  return (
    <Show when={state() === "reconnecting" || state() === "offline"}>
      <div role="status" data-testid="connection-banner" class="flex items-center justify-center gap-3 bg-amber-100 px-4 py-1 text-sm text-amber-950 dark:bg-amber-900 dark:text-amber-50">
        {state() === "offline" ? "You are offline. New messages will not arrive." : "Connection lost. Reconnecting…"}
        <button class="rounded bg-amber-950 px-2 py-0.5 text-xs font-medium text-white dark:bg-amber-50 dark:text-amber-950" onClick={() => props.chat.socket.retryNow()}>
          Retry now
        </button>
      </div>
    </Show>
  );
}
