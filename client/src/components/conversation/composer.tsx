import { createSignal, For, onCleanup, onMount, Show } from "solid-js";
import { LIMITS, type ChatMessage } from "../../../../src/protocol/index.ts";
import type { PendingUpload } from "../../sdk/chat-store.ts";
import { quoteOf } from "../../sdk/message-state.ts";
import { PendingUploads } from "./pending-uploads.tsx";
import { ReplyQuote } from "./reply-quote.tsx";
import { shortcodeAt } from "./shortcode.ts";
import { PaperclipIcon, SendIcon, SmileIcon } from "../icons.tsx";

/** The counter shows up this close to the limit. */
const COUNTER_FROM = LIMITS.bodyMax - 500;
/** The composer grows with its text up to this height, then scrolls. */
const MAX_HEIGHT_PX = 200;
/** "typing on" is renewed this often while typing: under the server's typing TTL (5 s by default). */
const TYPING_RENEW_MS = 2000;
const TYPING_IDLE_MS = 2500;

type EmojiModule = typeof import("./emoji-data.ts");
let emojiModule: Promise<EmojiModule> | undefined;
const loadEmoji = () => (emojiModule ??= import("./emoji-data.ts"));

export interface ComposerHandle {
  /**
   * Puts a refused message's text back. Without `force` only into an empty composer (returns false
   * otherwise); with it, after what is already there.
   */
  restore(text: string, force?: boolean): boolean;
  focus(): void;
}

export function Composer(props: {
  draftKey: string;
  onSend: (body: string) => void;
  onTyping: (on: boolean) => void;
  handle?: (h: ComposerHandle) => void;
  /** The message the next send answers, with a way to drop that. */
  replyingTo?: ChatMessage;
  onCancelReply: () => void;
  /** Files for the next message: uploading, done, or failed. */
  uploads: PendingUpload[];
  onAttach: (files: File[]) => void;
  onDetach: (key: string) => void;
  /** Up in an empty composer: edit my last message. */
  onEditLast: () => void;
}) {
  let area!: HTMLTextAreaElement;
  let fileInput!: HTMLInputElement;
  const [draft, setDraftSignal] = createSignal(localStorage.getItem(props.draftKey) ?? "");
  const [suggestions, setSuggestions] = createSignal<(readonly [string, string])[]>([]);
  const [selected, setSelected] = createSignal(0);
  const [picker, setPicker] = createSignal<EmojiModule["EMOJI"] | null>(null);
  const length = () => draft().length;
  const over = () => length() > LIMITS.bodyMax;
  const ready = () => props.uploads.filter((u) => u.status === "done").length;
  const uploading = () => props.uploads.some((u) => u.status === "uploading");
  // Files may go without text; a message waits for its files to finish uploading.
  const canSend = () => (draft().trim().length > 0 || ready() > 0) && !over() && !uploading();

  // Drafts survive reloads and room switches: nothing typed is ever lost.
  const setDraft = (value: string) => {
    setDraftSignal(value);
    if (value) localStorage.setItem(props.draftKey, value);
    else localStorage.removeItem(props.draftKey);
    queueMicrotask(grow);
  };
  const grow = () => {
    area.style.height = "auto";
    area.style.height = `${Math.min(area.scrollHeight, MAX_HEIGHT_PX)}px`;
  };

  let typingSentAt = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const stopTyping = (notify: boolean) => {
    clearTimeout(idleTimer);
    if (typingSentAt && notify) props.onTyping(false);
    typingSentAt = 0;
  };
  const typed = (value: string) => {
    if (!value.trim()) return stopTyping(true);
    if (Date.now() - typingSentAt > TYPING_RENEW_MS) {
      typingSentAt = Date.now();
      props.onTyping(true);
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => stopTyping(true), TYPING_IDLE_MS);
  };
  onCleanup(() => stopTyping(true));

  const send = () => {
    if (!canSend()) return;
    props.onSend(draft().trim());
    stopTyping(false); // the server ends "typing" when the message lands
    setDraft("");
    setSuggestions([]);
  };

  const suggest = async () => {
    const at = shortcodeAt(draft(), area.selectionStart);
    if (!at) return setSuggestions([]);
    const { searchEmoji } = await loadEmoji();
    setSuggestions(searchEmoji(at.query));
    setSelected(0);
  };
  const insertAt = (start: number, end: number, text: string) => {
    const value = draft().slice(0, start) + text + draft().slice(end);
    setDraft(value);
    area.value = value;
    area.focus();
    area.setSelectionRange(start + text.length, start + text.length);
  };
  const accept = (emoji: string) => {
    const at = shortcodeAt(draft(), area.selectionStart);
    if (at) insertAt(at.start, area.selectionStart, `${emoji} `);
    setSuggestions([]);
  };
  const togglePicker = async () => setPicker(picker() ? null : (await loadEmoji()).EMOJI);

  const onKeyDown = (e: KeyboardEvent) => {
    const list = suggestions();
    if (list.length) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        setSelected((i) => (i + (e.key === "ArrowDown" ? 1 : list.length - 1)) % list.length);
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        return accept(list[selected()]![1]);
      }
      if (e.key === "Escape") return setSuggestions([]);
    }
    if (e.key === "Escape" && props.replyingTo) return props.onCancelReply();
    if (e.key === "ArrowUp" && !draft() && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      return props.onEditLast();
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  };

  onMount(() => {
    grow();
    area.focus();
    props.handle?.({
      restore: (text, force) => {
        if (draft().trim() && !force) return false;
        setDraft(draft().trim() ? `${draft()}\n${text}` : text);
        area.focus();
        return true;
      },
      focus: () => area.focus(),
    });
  });

  return (
    <form class="relative border-t border-slate-200 p-2 sm:p-3 dark:border-slate-700" onSubmit={(e) => { e.preventDefault(); send(); }}>
      <Show when={props.replyingTo}>
        {(m) => (
          <div data-testid="replying-to" class="mb-2 flex items-center gap-2 rounded-md bg-slate-100 px-2 py-1 text-sm text-slate-700 dark:bg-slate-800 dark:text-slate-300">
            <span class="shrink-0">Replying to</span>
            <span class="min-w-0 flex-1"><ReplyQuote quote={quoteOf(m())} /></span>
            <button type="button" aria-label="Cancel reply" onClick={() => { props.onCancelReply(); area.focus(); }}
              class="shrink-0 rounded px-1 hover:bg-slate-200 dark:hover:bg-slate-700">✕</button>
          </div>
        )}
      </Show>
      <PendingUploads uploads={props.uploads} onDetach={props.onDetach} />
      <Show when={suggestions().length > 0}>
        <ul role="listbox" aria-label="Emoji suggestions" data-testid="emoji-suggestions"
          class="absolute bottom-full left-3 mb-1 max-w-xs rounded-md border border-slate-300 bg-white py-1 text-sm shadow dark:border-slate-600 dark:bg-slate-800">
          <For each={suggestions()}>
            {([name, emoji], i) => (
              <li role="option" aria-selected={i() === selected()} onMouseDown={(e) => { e.preventDefault(); accept(emoji); }}
                class={`cursor-pointer px-3 py-1 ${i() === selected() ? "bg-blue-100 dark:bg-blue-900" : ""}`}>
                {emoji} :{name}:
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={picker()}>
        {(all) => (
          <div role="dialog" aria-label="Emoji picker" data-testid="emoji-picker"
            class="absolute bottom-full right-3 mb-1 grid w-72 grid-cols-8 gap-1 rounded-md border border-slate-300 bg-white p-2 shadow dark:border-slate-600 dark:bg-slate-800">
            <For each={all()}>
              {([name, emoji]) => (
                <button type="button" aria-label={name.replaceAll("_", " ")} title={`:${name}:`} class="rounded text-xl hover:bg-slate-100 dark:hover:bg-slate-700"
                  onClick={() => { insertAt(area.selectionStart, area.selectionEnd, emoji); setPicker(null); }}>
                  {emoji}
                </button>
              )}
            </For>
          </div>
        )}
      </Show>
      <div class="flex items-end gap-1 sm:gap-2">
        <textarea ref={area} id="composer" rows={1} value={draft()} aria-label="Message" data-testid="composer"
          placeholder="Write a message…" title="Enter sends, Shift+Enter adds a line, ↑ edits your last message"
          aria-describedby="composer-counter" aria-invalid={over()}
          onInput={(e) => { setDraft(e.currentTarget.value); typed(e.currentTarget.value); void suggest(); }}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])];
            if (files.length === 0) return;
            e.preventDefault();
            props.onAttach(files);
          }}
          onBlur={() => setSuggestions([])}
          class="min-h-10 flex-1 resize-none rounded-md border border-slate-300 bg-transparent px-3 py-2 dark:border-slate-600" />
        <input ref={fileInput} type="file" multiple class="hidden" data-testid="file-input" tabindex="-1" aria-hidden="true" aria-label="Attach files"
          onChange={(e) => { props.onAttach([...(e.currentTarget.files ?? [])]); e.currentTarget.value = ""; }} />
        <button type="button" aria-label="Attach files" title="Attach files (or drop or paste them)" onClick={() => fileInput.click()}
          class="h-10 w-8 shrink-0 rounded-md flex items-center justify-center sm:w-auto sm:px-2 hover:bg-slate-100 dark:hover:bg-slate-800"><PaperclipIcon class="h-5 w-5" /></button>
        <button type="button" aria-label="Insert emoji" aria-expanded={picker() !== null} onClick={() => void togglePicker()}
          class="h-10 w-8 shrink-0 rounded-md flex items-center justify-center sm:w-auto sm:px-2 hover:bg-slate-100 dark:hover:bg-slate-800"><SmileIcon class="h-5 w-5" /></button>
        <button type="submit" disabled={!canSend()}
          class="h-10 rounded-md bg-blue-700 px-3 font-medium sm:px-4 text-white disabled:cursor-not-allowed disabled:opacity-50">
          {/* A phone keeps the width for the text: an arrow, still named "Send". */}
          <span class="sm:hidden"><SendIcon class="h-5 w-5" /></span><span class="sr-only sm:not-sr-only">Send</span>
        </button>
      </div>
      <Show when={length() > COUNTER_FROM}>
        <p id="composer-counter" data-testid="char-counter" aria-live="polite"
          class={`mt-1 text-xs ${over() ? "font-medium text-red-700 dark:text-red-400" : "text-slate-600 dark:text-slate-400"}`}>
          {over()
            ? `${length() - LIMITS.bodyMax} characters over the ${LIMITS.bodyMax}-character limit: shorten it to send`
            : `${LIMITS.bodyMax - length()} characters left`}
        </p>
      </Show>
    </form>
  );
}
