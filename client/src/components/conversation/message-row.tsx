import { createEffect, createSignal, onCleanup, Show } from "solid-js";
import type { ChatMessage } from "../../../../src/protocol/index.ts";
import { MessageText } from "../message-text.tsx";
import { dayOf, sameDay, timeOf } from "../time.ts";
import { Attachments } from "./attachments.tsx";
import { Avatar } from "./avatar.tsx";
import { EditBox } from "./edit-box.tsx";
import { MessageToolbar, type MessageActions } from "./message-actions.tsx";
import { Reactions } from "./reactions.tsx";
import { ReplyQuote } from "./reply-quote.tsx";

export const BOT_ID = "bot:ai";
/** A new run (name and avatar again) starts after this long without a message from the sender. */
const RUN_GAP_MS = 5 * 60_000;

const fullFormat = new Intl.DateTimeFormat([], { dateStyle: "full", timeStyle: "medium" });
const fullDate = (ts: number) => fullFormat.format(ts);
/** A touch held this long opens a message's actions. */
const LONG_PRESS_MS = 450;

/** Whether `m` continues the previous message's run (same sender, same day, close in time). */
export function continuesRun(prev: ChatMessage | undefined, m: ChatMessage): boolean {
  return !!prev && prev.from === m.from && m.createdAt - prev.createdAt < RUN_GAP_MS && sameDay(prev.createdAt, m.createdAt);
}

export function Stamp(props: { ts: number; class?: string }) {
  return (
    <time dateTime={new Date(props.ts).toISOString()} title={fullDate(props.ts)}
      class={`whitespace-nowrap text-xs text-slate-600 dark:text-slate-400 ${props.class ?? ""}`}>
      {timeOf(props.ts)}
    </time>
  );
}

/**
 * One message. The first of a run shows avatar, name and time; the rest only their text, aligned
 * with it, and the time on hover. Own messages carry a tinted edge.
 */
export function MessageRow(props: {
  m: ChatMessage;
  /** The message before it in the rendered window. */
  prev: ChatMessage | undefined;
  /** The room's first message (without `prev`, a day separator only shows here, not above a page not loaded yet). */
  first: boolean;
  own: boolean;
  unreadDivider: boolean;
  seen: string | null;
  /** Briefly marked: the message a search result opened. */
  highlighted?: boolean;
  actions: MessageActions;
  /** Being edited in place. */
  editing: boolean;
}) {
  const newDay = () => (props.prev ? !sameDay(props.prev.createdAt, props.m.createdAt) : props.first);
  const compact = () => !props.unreadDivider && continuesRun(props.prev, props.m);
  const bot = () => props.m.from === BOT_ID;
  // Touch screens have no hover: a long press shows the actions until one is used or another tap.
  const [pressed, setPressed] = createSignal(false);
  let pressTimer: ReturnType<typeof setTimeout> | undefined;
  const cancelPress = () => clearTimeout(pressTimer);
  onCleanup(cancelPress);
  createEffect(() => {
    if (!pressed()) return;
    const away = (e: PointerEvent) => !row.contains(e.target as Node) && setPressed(false);
    document.addEventListener("pointerdown", away);
    onCleanup(() => document.removeEventListener("pointerdown", away));
  });
  let row!: HTMLDivElement;
  const mentionsMe = () => !!props.m.mentions?.includes(props.actions.me()?.id ?? "");
  return (
    <div ref={row} data-seq={props.m.seq} data-testid="message-row">
      <Show when={newDay()}>
        <div class="my-2 text-center text-xs text-slate-600 dark:text-slate-400" role="separator">{dayOf(props.m.createdAt)}</div>
      </Show>
      <Show when={props.unreadDivider}>
        <div data-testid="unread-divider" role="separator" aria-label="New messages"
          class="my-2 flex items-center gap-2 text-xs font-semibold text-red-700 dark:text-red-400">
          <span class="h-px flex-1 bg-red-600/60" />New messages<span class="h-px flex-1 bg-red-600/60" />
        </div>
      </Show>
      <div data-testid="message" data-seq={props.m.seq} data-own={props.own ? "true" : undefined} data-compact={compact() ? "true" : undefined}
        data-highlighted={props.highlighted ? "true" : undefined} data-deleted={props.m.deleted ? "true" : undefined}
        data-mentions-me={mentionsMe() ? "true" : undefined}
        onTouchStart={() => { cancelPress(); pressTimer = setTimeout(() => setPressed(true), LONG_PRESS_MS); }}
        onTouchEnd={cancelPress} onTouchMove={cancelPress}
        onContextMenu={(e) => pressed() && e.preventDefault()}
        class={`group relative flex gap-2 rounded-md px-2 transition-colors duration-700 ${compact() ? "py-0.5" : "mt-2 pt-1 pb-0.5"} ${props.own ? "border-l-2 border-blue-600 bg-blue-50 dark:bg-blue-950/40" : mentionsMe() ? "border-l-2 border-amber-500 bg-amber-50 dark:bg-amber-950/40" : "border-l-2 border-transparent"} ${props.highlighted ? "bg-amber-100! dark:bg-amber-900/60!" : ""}`}>
        <div class="w-9 shrink-0 text-center">
          <Show when={!compact()} fallback={<Stamp ts={props.m.createdAt} class="opacity-0 group-hover:opacity-100 group-focus-within:opacity-100 text-[0.65rem] leading-6" />}>
            <Avatar id={props.m.from} name={props.m.fromName} />
          </Show>
        </div>
        <div class="min-w-0 flex-1">
          <Show when={!compact()}>
            <div class="flex items-baseline gap-2">
              <span data-testid="sender" class={`font-semibold ${bot() ? "text-purple-700 dark:text-purple-300" : ""}`}>
                {props.m.fromName}{bot() ? " 🤖" : ""}{props.own ? " (you)" : ""}
              </span>
              <Stamp ts={props.m.createdAt} />
            </div>
          </Show>
          <Show when={!props.m.deleted} fallback={<p data-testid="tombstone" class="italic text-slate-600 dark:text-slate-400">Message deleted</p>}>
            <Show when={props.m.replyTo}>{(q) => <ReplyQuote quote={q()} onJump={() => props.actions.jumpTo(q())} />}</Show>
            <Show when={props.editing} fallback={
              <Show when={props.m.body}>
                <MessageText text={props.m.body} me={props.actions.me()?.username} suffix={
                  <Show when={props.m.editedAt}>
                    {(at) => <> <span data-testid="edited" class="text-xs text-slate-600 dark:text-slate-400" title={`Edited ${fullDate(at())}`}>(edited)</span></>}
                  </Show>
                } />
              </Show>
            }>
              <EditBox body={props.m.body} onSave={(body) => props.actions.save(props.m, body)} onCancel={() => props.actions.edit(null)} />
            </Show>
            <Show when={props.m.incomplete}><span class="text-xs text-amber-700 dark:text-amber-400">(incomplete)</span></Show>
            <Show when={props.m.attachments?.length}><Attachments files={props.m.attachments!} onView={props.actions.view} /></Show>
            <Reactions m={props.m} actions={props.actions} />
          </Show>
        </div>
        <Show when={!props.m.deleted && !props.editing}>
          <MessageToolbar m={props.m} own={props.own} open={pressed()} actions={props.actions} onDone={() => setPressed(false)} />
        </Show>
      </div>
      <Show when={props.seen}>
        <p data-testid="seen" class="px-2 text-right text-xs text-slate-600 dark:text-slate-400">{props.seen}</p>
      </Show>
    </div>
  );
}
