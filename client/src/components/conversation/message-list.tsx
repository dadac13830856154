import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show, type JSX } from "solid-js";
import type { ChatMessage } from "../../../../src/protocol/index.ts";
import type { Chat } from "../../sdk/chat-store.ts";
import type { MessageActions } from "./message-actions.tsx";
import { MessageRow } from "./message-row.tsx";
import { indexOfSeq, latestRange, rangeOf, sliceOf, STEP, WINDOW, type Range } from "./window.ts";

/** Within this distance of an edge of the rendered window, the window moves (or an older page loads). */
const EDGE_PX = 400;
/** Closer than this to the end counts as "at the bottom": new messages then scroll into view. */
const BOTTOM_PX = 48;
/** How long a message opened from search stays highlighted. */
const FLASH_MS = 3000;

export interface MessageListHandle {
  jumpToLatest(): void;
}

/**
 * The history of a room, windowed: only a slice of WINDOW messages is in the DOM, moved as the reader
 * scrolls, with the first visible message kept in place on every change (older pages too). It opens at
 * the first unread message under a "New messages" divider, or at the bottom, and reports what has been
 * on screen so only that is marked read.
 */
export function MessageList(props: {
  chat: Chat;
  room: string;
  /** Seq of the first message that was unread when the room was opened, if any. */
  firstUnread: number | null;
  seen: (m: ChatMessage) => string | null;
  /** Rendered after the newest message (pending sends, AI answers streaming) when the window is at the end. */
  tail: JSX.Element;
  handle?: (h: MessageListHandle) => void;
  actions: MessageActions;
  /** The id of the message being edited in place. */
  editing: string | null;
}) {
  const s = props.chat.state;
  let list!: HTMLDivElement;
  const messages = () => s.messages[props.room] ?? [];
  const [range, setRange] = createSignal<Range | null>(null);
  const [atBottom, setAtBottom] = createSignal(true);
  const [shownSeq, setShownSeq] = createSignal(0);
  const [loading, setLoading] = createSignal<"older" | "newer" | null>(null);
  const [flash, setFlash] = createSignal<number | null>(null);
  const visible = createMemo(() => {
    const r = range();
    return r ? sliceOf(messages(), r) : [];
  });
  const atStart = () => s.hasOlder[props.room] === false && visible()[0]?.seq === messages()[0]?.seq;
  // Short of the live end (opened at a search hit), the list does not follow new messages.
  const following = () => range()?.to === null && !s.hasNewer[props.room];
  const newCount = () => {
    const all = messages();
    return all.length - indexOfSeq(all, shownSeq() + 1);
  };

  const rows = () => list.querySelectorAll<HTMLElement>("[data-testid=message-row]");
  const scrollToBottom = () => (list.scrollTop = list.scrollHeight);

  /** Applies a window change without moving what the reader is looking at. */
  const keepAnchor = (change: () => void) => {
    const top = list.getBoundingClientRect().top;
    const row = [...rows()].find((r) => r.getBoundingClientRect().bottom > top);
    // The message itself, not its row: a day separator above it may come or go with the change.
    const anchor = row?.querySelector<HTMLElement>("[data-testid=message]") ?? row;
    const before = anchor?.getBoundingClientRect().top ?? 0;
    change();
    if (anchor?.isConnected) list.scrollTop += anchor.getBoundingClientRect().top - before;
  };

  /** Highest seq that has been fully on screen (or filled it); marks the room read up to there. */
  const measure = () => {
    // Hidden (a phone showing the room list, or a background tab): nothing is being read.
    if (!range() || document.visibilityState !== "visible" || list.clientHeight === 0) return;
    const box = list.getBoundingClientRect();
    let max = 0;
    for (const row of rows()) {
      const r = row.getBoundingClientRect();
      if (r.top + Math.min(r.height, box.height) <= box.bottom + 2) max = Math.max(max, Number(row.dataset.seq));
      else break;
    }
    if (max > shownSeq()) {
      setShownSeq(max);
      props.chat.markRead(props.room, max);
    }
  };

  const jumpToLatest = () => {
    if (s.hasNewer[props.room]) {
      setRange(null);
      void props.chat.reloadLatest(props.room).then(jumpToLatest, () => {});
      return;
    }
    setRange(latestRange(messages()));
    scrollToBottom();
    setAtBottom(true);
    measure();
  };

  /** Loads a page beyond the held messages; false when it failed (the next scroll tries again). */
  const fetchPage = async (which: "older" | "newer") => {
    setLoading(which);
    try {
      await (which === "older" ? props.chat.loadOlder(props.room) : props.chat.loadNewer(props.room));
      return true;
    } catch {
      return false;
    } finally {
      setLoading(null);
    }
  };

  const extendUp = async () => {
    const r = range();
    if (!r || loading()) return;
    if (indexOfSeq(messages(), r.from) === 0) {
      if (s.hasOlder[props.room] === false || !(await fetchPage("older"))) return;
    }
    const all = messages();
    const start = indexOfSeq(all, r.from);
    if (start === 0) return;
    const end = r.to === null ? all.length : indexOfSeq(all, r.to + 1);
    const newStart = Math.max(0, start - STEP);
    keepAnchor(() => setRange(rangeOf(all, newStart, Math.min(end, newStart + WINDOW))));
  };

  const extendDown = async () => {
    const r = range();
    if (!r || loading()) return;
    let to = r.to;
    if (to === null) {
      if (!s.hasNewer[props.room]) return;
      to = messages().at(-1)?.seq ?? 0;
      if (!(await fetchPage("newer"))) return;
    }
    const all = messages();
    const end = Math.min(all.length, indexOfSeq(all, to + 1) + STEP);
    keepAnchor(() => setRange(rangeOf(all, end - WINDOW, end)));
    // Reaching the live end may put the reader at the bottom without another scroll event.
    if (r.to === null) queueMicrotask(onScroll);
  };

  const onScroll = () => {
    const dist = list.scrollHeight - list.scrollTop - list.clientHeight;
    setAtBottom(dist < BOTTOM_PX && following());
    measure();
    if (list.scrollTop < EDGE_PX) void extendUp();
    else if (dist < EDGE_PX) void extendDown();
  };

  // Open once the room's messages are loaded: at the first unread, or at the bottom.
  createEffect(() => {
    if (range() || !s.loaded[props.room] || s.focus[props.room] !== undefined) return;
    const all = messages();
    const first = props.firstUnread;
    const atUnread = first !== null && all.length > 0 && all[0]!.seq <= first;
    const start = Math.max(0, indexOfSeq(all, first ?? 0) - 10);
    setRange(atUnread ? rangeOf(all, start, start + WINDOW) : latestRange(all));
    // Writes inside an effect reach the DOM once it finishes: position after that.
    queueMicrotask(() => {
      const divider = atUnread && list.querySelector<HTMLElement>("[data-testid=unread-divider]");
      if (divider) list.scrollTop += divider.getBoundingClientRect().top - list.getBoundingClientRect().top - 8;
      else scrollToBottom();
      onScroll();
    });
  });

  let flashTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(flashTimer));
  // Opened at a message (a search hit): window around it, scrolled to the middle, highlighted a moment.
  createEffect(() => {
    const seq = s.focus[props.room];
    if (seq === undefined || !s.loaded[props.room]) return;
    const all = messages();
    const start = Math.max(0, indexOfSeq(all, seq) - WINDOW / 2);
    setRange(rangeOf(all, start, start + WINDOW));
    setFlash(seq);
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => setFlash(null), FLASH_MS);
    queueMicrotask(() => {
      const row = list.querySelector<HTMLElement>(`[data-testid=message][data-seq="${seq}"]`);
      if (row) list.scrollTop += row.getBoundingClientRect().top - list.getBoundingClientRect().top - (list.clientHeight - row.offsetHeight) / 2;
      // Cleared once positioned: until then the other effects leave the window alone.
      props.chat.clearFocus(props.room);
      onScroll();
    });
  });


  // New messages: followed when at the bottom; otherwise they wait behind "Jump to latest".
  createEffect(on(() => messages().at(-1)?.seq, (last, prev) => {
    const r = range();
    if (!r || r.to !== null || last === prev || s.focus[props.room] !== undefined) return;
    if (atBottom()) {
      const all = messages();
      if (visible().length > WINDOW + STEP) setRange(latestRange(all));
      queueMicrotask(() => {
        scrollToBottom();
        measure();
      });
    } else if (prev !== undefined) {
      setRange({ ...r, to: prev });
    }
  }, { defer: true }));

  // Streaming AI text and pending sends grow the tail: stay at the bottom if we were there.
  createEffect(on(() => [s.pending.length, s.ai.map((a) => a.text.length).join()], () => {
    if (atBottom()) queueMicrotask(scrollToBottom);
  }, { defer: true }));

  onMount(() => {
    props.handle?.({ jumpToLatest });
    const onVisible = () => measure();
    document.addEventListener("visibilitychange", onVisible);
    // Also fires when a hidden list shows again (a phone going back from the room list).
    const resize = new ResizeObserver(() => {
      if (atBottom()) scrollToBottom();
      measure();
    });
    resize.observe(list);
    onCleanup(() => {
      document.removeEventListener("visibilitychange", onVisible);
      resize.disconnect();
    });
  });

  return (
    <div class="relative min-h-0 flex-1">
      <div ref={list} onScroll={onScroll} data-testid="messages" role="log" aria-label="Conversation history" tabindex="0"
        class="h-full overflow-y-auto px-2 py-2 [overflow-anchor:none] sm:px-4">
        <Show when={atStart()}>
          <p class="py-1 text-center text-xs text-slate-600 dark:text-slate-400">This is the start of the conversation.</p>
        </Show>
        <For each={visible()}>
          {(m, i) => (
            // Grouping looks only inside the window, so a page loading above never reshapes what is on screen.
            <MessageRow m={m} prev={i() > 0 ? visible()[i() - 1] : undefined} first={m.seq === 1}
              own={m.from === s.me?.id} highlighted={flash() === m.seq} unreadDivider={m.seq === props.firstUnread} seen={props.seen(m)}
              actions={props.actions} editing={props.editing === m.id} />
          )}
        </For>
        <Show when={following()}>{props.tail}</Show>
      </div>
      <Show when={loading()}>
        <p role="status" class="absolute left-1/2 top-2 z-20 -translate-x-1/2 rounded-full bg-slate-100 px-3 py-1 text-xs text-slate-700 shadow dark:bg-slate-800 dark:text-slate-200">
          {loading() === "newer" ? "Loading newer messages…" : "Loading older messages…"}
        </p>
      </Show>
      <Show when={!atBottom() || !following()}>
        <button type="button" data-testid="jump-to-latest" onClick={jumpToLatest}
          aria-label={newCount() > 0 ? `Jump to latest, ${newCount()} new` : "Jump to latest"}
          class="absolute bottom-3 right-4 z-20 rounded-full bg-blue-700 px-4 py-2 text-sm font-medium text-white shadow-lg hover:bg-blue-800">
          ↓ {newCount() > 0 ? `${newCount()} new` : "Latest"}
        </button>
      </Show>
    </div>
  );
}
