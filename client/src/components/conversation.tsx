import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import type { ChatMessage } from "../../../src/protocol/index.ts";
import type { Chat } from "../sdk/chat-store.ts";
import { MessageText } from "./message-text.tsx";
import { dayOf, timeOf } from "./time.ts";

const BOT_ID = "bot:ai";

export function Conversation(props: { chat: Chat; room: string }) {
  const s = props.chat.state;
  let list!: HTMLDivElement;
  const [draft, setDraft] = createSignal("");
  const room = () => s.rooms.find((r) => r.id === props.room);
  const messages = () => s.messages[props.room] ?? [];
  const pending = () => s.pending.filter((p) => p.room === props.room);
  const streams = () => s.ai.filter((a) => a.room === props.room && (a.status === "thinking" || a.status === "streaming"));
  const typers = () => Object.values(s.typing[props.room] ?? {});
  const seenBy = createMemo(() => {
    const mine = [...messages()].reverse().find((m) => m.from === s.me?.id);
    if (!mine) return [];
    const reads = s.reads[props.room] ?? {};
    return Object.entries(reads).filter(([u, seq]) => u !== s.me?.id && seq >= mine.seq).map(([u]) => u);
  });

  // Keep the newest message in view when it arrives, unless the reader scrolled up.
  createEffect(on(() => [messages().length, pending().length, streams().map((a) => a.text.length).join()], () => {
    if (list && list.scrollHeight - list.scrollTop - list.clientHeight < 150) queueMicrotask(() => (list.scrollTop = list.scrollHeight));
  }));

  const onScroll = async () => {
    if (list.scrollTop > 40 || s.hasOlder[props.room] === false) return;
    const before = list.scrollHeight;
    await props.chat.loadOlder(props.room);
    list.scrollTop = list.scrollHeight - before;
  };

  let typingOn = false;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  const onInput = (value: string) => {
    setDraft(value);
    if (!typingOn && value) {
      typingOn = true;
      props.chat.typing(props.room, true);
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      typingOn = false;
      props.chat.typing(props.room, false);
    }, 2500);
  };
  const send = () => {
    const body = draft().trim();
    if (!body) return;
    props.chat.send(props.room, body);
    setDraft("");
    typingOn = false;
    clearTimeout(typingTimer);
  };

  const newDay = (m: ChatMessage, i: number) => i === 0 || dayOf(messages()[i - 1]!.createdAt) !== dayOf(m.createdAt);

  return (
    <section class="flex h-full min-w-0 flex-1 flex-col" aria-label="Conversation">
      <header class="border-b border-slate-200 dark:border-slate-700 px-4 py-2 font-semibold">
        {room()?.kind === "dm" ? `@${room()?.name}` : `# ${room()?.name ?? ""}`}
      </header>
      <div ref={list} onScroll={() => void onScroll()} class="flex-1 space-y-1 overflow-y-auto px-4 py-2" data-testid="messages" role="log" aria-live="polite">
        <Show when={s.hasOlder[props.room]}><p class="text-center text-xs text-slate-500">Scroll up for older messages</p></Show>
        <For each={messages()}>
          {(m, i) => (
            <>
              <Show when={newDay(m, i())}>
                <div class="my-2 text-center text-xs text-slate-500">{dayOf(m.createdAt)}</div>
              </Show>
              <div class="group" data-testid="message" data-seq={m.seq}>
                <span class={`mr-2 font-medium ${m.from === BOT_ID ? "text-purple-600" : ""}`}>
                  {m.fromName}{m.from === BOT_ID ? " 🤖" : ""}
                </span>
                <span class="mr-2 text-xs text-slate-500">{timeOf(m.createdAt)}</span>
                <MessageText text={m.body} />
                <Show when={m.incomplete}><span class="ml-1 text-xs text-amber-600">(incomplete)</span></Show>
              </div>
            </>
          )}
        </For>
        <For each={streams()}>
          {(a) => (
            <div data-testid="ai-stream" class="text-purple-700 dark:text-purple-300">
              <span class="mr-2 font-medium">ai_bot 🤖</span>
              {a.status === "thinking" ? <em>thinking…</em> : <MessageText text={a.text} />}
            </div>
          )}
        </For>
        <For each={pending().filter((p) => p.status !== "sent" || !messages().some((m) => m.clientId === p.clientId))}>
          {(p) => (
            <div class="opacity-70" data-testid="pending">
              <span class="mr-2 font-medium">{s.me?.username}</span>
              <MessageText text={p.body} />
              <span class="ml-2 text-xs" data-testid="send-status">{p.status}</span>
              <Show when={p.status === "failed"}>
                <button class="ml-2 text-xs text-blue-600 underline" onClick={() => props.chat.retry(p.clientId)}>retry</button>
              </Show>
            </div>
          )}
        </For>
        <Show when={seenBy().length > 0}><p class="text-right text-xs text-slate-500">Seen</p></Show>
      </div>
      <p class="h-5 px-4 text-xs text-slate-500" data-testid="typing">
        {typers().length === 1 ? `${typers()[0]} is typing…` : typers().length > 1 ? `${typers().join(", ")} are typing…` : ""}
      </p>
      <form class="flex gap-2 border-t border-slate-200 dark:border-slate-700 p-3" onSubmit={(e) => { e.preventDefault(); send(); }}>
        <label class="sr-only" for="composer">Message</label>
        <textarea id="composer" rows={1} value={draft()} placeholder="Message (Enter to send, Shift+Enter for a new line; /ai to ask the bot)"
          onInput={(e) => onInput(e.currentTarget.value)}
          onKeyDown={(e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); } }}
          class="min-h-10 flex-1 resize-none rounded-md border border-slate-300 dark:border-slate-600 bg-transparent px-3 py-2" />
        <button type="submit" class="rounded-md bg-blue-600 px-4 font-medium text-white">Send</button>
      </form>
    </section>
  );
}
