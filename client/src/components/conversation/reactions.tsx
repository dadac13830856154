import { createSignal, For, Show } from "solid-js";
import type { ChatMessage } from "../../../../src/protocol/index.ts";
import { hasReacted } from "../../sdk/message-state.ts";
import { SmilePlusIcon } from "../icons.tsx";
import type { MessageActions } from "./message-actions.tsx";
import { ReactionPicker } from "./reaction-picker.tsx";

/** Names listed in a chip's tooltip before "and N others". */
const TOOLTIP_NAMES = 10;

/**
 * Reaction chips under a message: emoji and count, mine highlighted, a click toggles mine; a last
 * chip adds another (as Slack and Discord do, next to the others).
 */
export function Reactions(props: { m: ChatMessage; actions: MessageActions }) {
  const me = () => props.actions.me()?.id ?? "";
  const [picking, setPicking] = createSignal(false);
  let addButton!: HTMLButtonElement;
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
        <li class="relative">
          <button ref={addButton} type="button" data-testid="add-reaction" aria-label="Add reaction" aria-expanded={picking()}
            onPointerDown={(e) => e.stopPropagation() /* a toggle, not a click away from the picker */} onClick={() => setPicking(!picking())}
            class="flex h-full items-center rounded-full border border-slate-300 bg-white px-2 text-slate-600 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-300 dark:hover:bg-slate-700">
            <SmilePlusIcon class="h-4 w-4" />
          </button>
          <Show when={picking()}>
            <ReactionPicker align="left"
              onPick={(emoji) => props.actions.react(props.m, emoji, !hasReacted(props.m, emoji, me()))}
              onClose={(refocus) => { setPicking(false); if (refocus) addButton.focus(); }} />
          </Show>
        </li>
      </ul>
    </Show>
  );
}
