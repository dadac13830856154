import { createSignal, For, onCleanup, onMount, Show } from "solid-js";
import { isEmoji } from "../../../../src/protocol/index.ts";

/** The reactions people use most, one click away; the rest come from the shortcode list. */
const QUICK = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀"] as const;

type EmojiList = readonly (readonly [string, string])[];

/**
 * A small emoji picker for reactions. It only offers what the server accepts (the shared `isEmoji`
 * rule); Escape or a click elsewhere closes it.
 */
export function ReactionPicker(props: {
  onPick: (emoji: string) => void;
  /** `refocus`: closed from the keyboard or by a pick, so focus goes back to where it was. */
  onClose: (refocus: boolean) => void;
  /** Which edge of the opener the picker lines up with (default: right, for the toolbar). */
  align?: "left" | "right";
}) {
  let box!: HTMLDivElement;
  const [more, setMore] = createSignal<EmojiList | null>(null);
  const showMore = async () => {
    const { EMOJI } = await import("./emoji-data.ts");
    // One entry per emoji (some have two names), and only those the server takes.
    const seen = new Set<string>(QUICK);
    setMore(EMOJI.filter(([, e]) => isEmoji(e) && !seen.has(e) && (seen.add(e), true)));
  };
  const pick = (emoji: string) => {
    props.onPick(emoji);
    props.onClose(true);
  };
  onMount(() => {
    box.querySelector("button")?.focus();
    const away = (e: PointerEvent) => !box.contains(e.target as Node) && props.onClose(false);
    document.addEventListener("pointerdown", away);
    onCleanup(() => document.removeEventListener("pointerdown", away));
  });
  const button = (name: string, emoji: string) => (
    <button type="button" aria-label={`React with ${name}`} title={name} onClick={() => pick(emoji)}
      class="rounded p-1 text-xl leading-none hover:bg-slate-100 focus:bg-slate-100 dark:hover:bg-slate-700 dark:focus:bg-slate-700">
      {emoji}
    </button>
  );
  return (
    <div ref={box} role="dialog" aria-label="Add a reaction" data-testid="reaction-picker"
      onKeyDown={(e) => { if (e.key === "Escape") { e.stopPropagation(); props.onClose(true); } }}
      class={`absolute ${props.align === "left" ? "left-0" : "right-0"} top-full z-20 mt-1 w-72 max-w-[calc(100vw-2rem)] rounded-md border border-slate-300 bg-white p-2 shadow-lg dark:border-slate-600 dark:bg-slate-800`}>
      <div class="flex flex-wrap gap-1">
        <For each={QUICK}>{(e) => button(e, e)}</For>
        <Show when={!more()}>
          <button type="button" onClick={() => void showMore()} class="rounded px-2 text-sm text-blue-700 underline dark:text-blue-300">More…</button>
        </Show>
      </div>
      <Show when={more()}>
        {(list) => (
          <div class="mt-2 grid max-h-48 grid-cols-8 gap-1 overflow-y-auto">
            <For each={list()}>{([name, e]) => button(name.replaceAll("_", " "), e)}</For>
          </div>
        )}
      </Show>
    </div>
  );
}
