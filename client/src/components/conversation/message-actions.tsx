import { createSignal, Show } from "solid-js";
import type { Attachment, ChatMessage, ReplyRef } from "../../../../src/protocol/index.ts";
import { ReactionPicker } from "./reaction-picker.tsx";
import { hasReacted } from "../../sdk/message-state.ts";
import { SmilePlusIcon } from "../icons.tsx";

/** What a message row can do, wired by the conversation to the chat store. */
export interface MessageActions {
  /** My user id and name (reactions, mentions). */
  me: () => { id: string; username: string } | null;
  /** The author, or the group's creator in their group. */
  canDelete: (m: ChatMessage) => boolean;
  react: (m: ChatMessage, emoji: string, on: boolean) => void;
  reply: (m: ChatMessage) => void;
  /** Opens the inline editor (null: closes it). */
  edit: (m: ChatMessage | null) => void;
  /** Saves an edit; resolves true once the server took it. */
  save: (m: ChatMessage, body: string) => Promise<boolean>;
  /** Asks for confirmation, then deletes. */
  remove: (m: ChatMessage) => void;
  /** Shows the quoted message (loading the page around it if needed). */
  jumpTo: (ref: ReplyRef) => void;
  nameOf: (userId: string) => string;
  /** Opens an image in the viewer. */
  view: (a: Attachment) => void;
}

/** Left and right arrows move between a toolbar's own buttons (WAI-ARIA toolbar pattern), wrapping around. */
function arrowKeys(e: KeyboardEvent & { currentTarget: HTMLElement }) {
  if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
  const buttons = [...e.currentTarget.children].filter((el): el is HTMLButtonElement => el instanceof HTMLButtonElement);
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  if (at < 0) return; // focus is in the picker, whose arrows are its own
  e.preventDefault();
  buttons[(at + (e.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length]!.focus();
}

const tool = "rounded px-2 py-1 text-sm hover:bg-slate-100 focus:bg-slate-100 dark:hover:bg-slate-700 dark:focus:bg-slate-700";

/**
 * The actions of one message: shown on hover or keyboard focus (desktop) and after a long press
 * (touch, `open`). Every button is a real button with a name, so they are reachable by keyboard.
 */
export function MessageToolbar(props: { m: ChatMessage; own: boolean; open: boolean; actions: MessageActions; onDone: () => void }) {
  const [picking, setPicking] = createSignal(false);
  const [copied, setCopied] = createSignal(false);
  let reactButton!: HTMLButtonElement;
  const copy = async () => {
    await navigator.clipboard?.writeText(props.m.body).then(() => setCopied(true), () => {});
    setTimeout(() => setCopied(false), 1500);
  };
  const act = (f: () => void) => () => {
    f();
    props.onDone();
  };
  return (
    <div role="toolbar" aria-label={`Actions for ${props.m.fromName}'s message`} data-testid="message-actions" onKeyDown={arrowKeys}
      class={`absolute -top-3 right-2 z-10 flex rounded-md border border-slate-300 bg-white shadow-sm dark:border-slate-600 dark:bg-slate-800 ${props.open || picking() ? "opacity-100" : "pointer-events-none opacity-0 group-hover:pointer-events-auto group-hover:opacity-100 focus-within:pointer-events-auto focus-within:opacity-100"}`}>
      <button ref={reactButton} type="button" class={`${tool} flex items-center`} aria-label="Add reaction" aria-expanded={picking()}
        onPointerDown={(e) => e.stopPropagation() /* a toggle, not a click away from the picker */} onClick={() => setPicking(!picking())}><SmilePlusIcon class="h-4 w-4" /></button>
      <button type="button" class={tool} onClick={act(() => props.actions.reply(props.m))}>Reply</button>
      <Show when={props.own}>
        <button type="button" class={tool} onClick={act(() => props.actions.edit(props.m))}>Edit</button>
      </Show>
      <Show when={props.actions.canDelete(props.m)}>
        <button type="button" class={`${tool} text-red-700 dark:text-red-300`} onClick={act(() => props.actions.remove(props.m))}>Delete</button>
      </Show>
      <Show when={props.m.body}>
        <button type="button" class={tool} onClick={() => void copy()}>{copied() ? "Copied" : "Copy"}</button>
      </Show>
      <Show when={picking()}>
        <ReactionPicker
          onPick={(emoji) => { props.actions.react(props.m, emoji, !hasReacted(props.m, emoji, props.actions.me()?.id)); props.onDone(); }}
          onClose={(refocus) => { setPicking(false); if (refocus) reactButton.focus(); }} />
      </Show>
    </div>
  );
}
