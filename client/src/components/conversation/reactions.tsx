import { For, Show } from "solid-js";
import type { ChatMessage } from "../../../../src/protocol/index.ts";
import type { MessageActions } from "./message-actions.tsx";

/** Names listed in a chip's tooltip before "and N others". */
const TOOLTIP_NAMES = 10;

/** Reaction chips under a message: emoji and count, mine highlighted, a click toggles mine. */
export function Reactions(props: { m: ChatMessage; actions: MessageActions }) {
  const me = () => props.actions.me()?.id ?? "";
  const who = (users: string[]) => {
    const names = users.slice(0, TOOLTIP_NAMES).map((u) => (u === me() ? "you" : props.actions.nameOf(u)));
    const more = users.length - TOOLTIP_NAMES;
    return `${names.join(", ")}${more > 0 ? ` and ${more} other${more > 1 ? "s" : ""}` : ""}`;
  };
  return (
    <Show when={props.m.reactions?.length}>
      <ul class="mt-1 flex flex-wrap gap-1" aria-label="Reactions" data-testid="reactions">
        <For each={props.m.reactions}>
          {(r) => {
            const mine = () => r.users.includes(me());
            return (
              <li>
                <button type="button" data-testid="reaction" data-emoji={r.emoji} aria-pressed={mine()}
                  title={`${r.emoji} by ${who(r.users)}`}
                  aria-label={`${r.emoji} ${r.users.length}: ${who(r.users)}. ${mine() ? "Remove your reaction" : "React"}`}
                  onClick={() => props.actions.react(props.m, r.emoji, !mine())}
                  class={`flex items-center gap-1 rounded-full border px-2 text-sm leading-6 ${mine()
                    ? "border-blue-600 bg-blue-100 text-blue-950 dark:border-blue-400 dark:bg-blue-900 dark:text-blue-50"
                    : "border-slate-300 bg-white text-slate-800 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100"}`}>
                  <span>{r.emoji}</span><span class="text-xs font-medium">{r.users.length}</span>
                </button>
              </li>
            );
          }}
        </For>
      </ul>
    </Show>
  );
}
