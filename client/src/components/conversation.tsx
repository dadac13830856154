import { createEffect, createMemo, createSignal, For, Show } from "solid-js";
import type { Attachment, ChatMessage } from "../../../src/protocol/index.ts";
import type { Chat } from "../sdk/chat-store.ts";
import { Composer, type ComposerHandle } from "./conversation/composer.tsx";
import { ConfirmDialog } from "./conversation/confirm-dialog.tsx";
import { ImageViewer } from "./conversation/image-viewer.tsx";
import type { MessageActions } from "./conversation/message-actions.tsx";
import { MessageList, type MessageListHandle } from "./conversation/message-list.tsx";
import { PendingRow, retryable } from "./conversation/pending-row.tsx";
import { MessageText } from "./message-text.tsx";

/** "Seen by" names this many readers, then counts the rest. */
const SEEN_NAMES = 3;

export function Conversation(props: { chat: Chat; room: string }) {
  const s = props.chat.state;
  let composer: ComposerHandle | undefined;
  let list: MessageListHandle | undefined;
  const room = () => s.rooms.find((r) => r.id === props.room);
  // Captured once: the divider stays where the unread messages started while the room is open.
  const opened = room();
  const firstUnread = opened && opened.unread > 0 ? opened.lastReadSeq + 1 : null;
  const messages = () => s.messages[props.room] ?? [];
  const pending = () => s.pending.filter((p) => p.room === props.room && !(p.status === "sent" && messages().some((m) => m.clientId === p.clientId)));
  const streams = () => s.ai.filter((a) => a.room === props.room && (a.status === "thinking" || a.status === "streaming"));
  const typers = () => Object.values(s.typing[props.room] ?? {}).filter((n): n is string => !!n);

  const asked = new Set<string>();
  const nameOf = (userId: string) => {
    const name = s.names[userId] ?? s.friends.find((f) => f.id === userId)?.username ?? messages().find((m) => m.from === userId)?.fromName;
    if (!name && !asked.has(userId)) {
      asked.add(userId);
      void props.chat.loadReads(props.room);
    }
    return name ?? "someone";
  };

  /** "Seen" goes under our newest stored message (never a pending one), once others' read cursors reach it. */
  const seen = createMemo(() => {
    const me = s.me?.id;
    const all = messages();
    let mine: ChatMessage | undefined;
    for (let i = all.length - 1; i >= 0 && !mine; i--) if (all[i]!.from === me) mine = all[i];
    if (!mine) return null;
    const readers = Object.entries(s.reads[props.room] ?? {}).filter(([u, seq]) => u !== me && seq >= mine.seq).map(([u]) => u);
    if (readers.length === 0) return null;
    if (room()?.kind === "dm") return { seq: mine.seq, text: "Seen" };
    const names = readers.slice(0, SEEN_NAMES).map(nameOf).join(", ");
    const more = readers.length - SEEN_NAMES;
    return { seq: mine.seq, text: `Seen by ${names}${more > 0 ? ` and ${more} other${more > 1 ? "s" : ""}` : ""}` };
  });

  const [editing, setEditing] = createSignal<string | null>(null);
  const [deleting, setDeleting] = createSignal<ChatMessage | null>(null);
  const [viewing, setViewing] = createSignal<Attachment | null>(null);
  const [dropping, setDropping] = createSignal(false);
  const actions: MessageActions = {
    me: () => s.me,
    canDelete: (m) => m.from === s.me?.id || (room()?.kind === "group" && room()?.createdBy === s.me?.id),
    react: (m, emoji, on) => void props.chat.react(props.room, m.id, emoji, on),
    reply: (m) => {
      props.chat.replyTo(props.room, m);
      composer?.focus();
    },
    edit: (m) => {
      setEditing(m?.id ?? null);
      if (!m) composer?.focus();
    },
    save: async (m, body) => {
      const ok = await props.chat.edit(props.room, m.id, body);
      if (ok && editing() === m.id) actions.edit(null);
      return ok;
    },
    remove: (m) => setDeleting(m),
    jumpTo: (q) => void props.chat.jumpTo(props.room, q.seq).catch(() => {}),
    nameOf: (id) => nameOf(id),
    view: (a) => setViewing(a),
  };
  const attach = (files: File[]) => {
    for (const f of files) props.chat.attach(props.room, f);
  };
  // Drag and drop anywhere on the conversation attaches the files (only when files are dragged).
  const dragsFiles = (e: DragEvent) => !!e.dataTransfer?.types.includes("Files");
  const canWrite = () => !s.rooms.find((r) => r.id === props.room)?.readOnly;

  const send = (body: string) => {
    props.chat.send(props.room, body);
    list?.jumpToLatest();
  };

  // A message refused for good (not a retry matter) goes back into the composer, never lost.
  createEffect(() => {
    for (const p of pending()) {
      if (p.status === "failed" && !retryable(p.code) && composer?.restore(p.body)) props.chat.discard(p.clientId);
    }
  });

  const tail = (
    <>
      <For each={streams()}>
        {(a) => (
          <div data-testid="ai-stream" class="ml-11 px-2 text-purple-700 dark:text-purple-300">
            <span class="mr-2 font-semibold">ai_bot 🤖</span>
            {a.status === "thinking" ? <em>thinking…</em> : <MessageText text={a.text} />}
          </div>
        )}
      </For>
      <For each={pending()}>
        {(p) => (
          <PendingRow p={p} onRetry={() => props.chat.retry(p.clientId)}
            onEdit={() => { composer?.restore(p.body, true); props.chat.discard(p.clientId); }} />
        )}
      </For>
    </>
  );

  return (
    <section class="relative flex h-full min-w-0 flex-1 flex-col" aria-label="Conversation"
      onDragOver={(e) => { if (dragsFiles(e) && canWrite()) { e.preventDefault(); setDropping(true); } }}
      onDragLeave={(e) => { if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false); }}
      onDrop={(e) => {
        if (!dragsFiles(e) || !canWrite()) return;
        e.preventDefault();
        setDropping(false);
        attach([...(e.dataTransfer?.files ?? [])]);
      }}>
      <MessageList chat={props.chat} room={props.room} firstUnread={firstUnread} tail={tail}
        seen={(m) => (seen()?.seq === m.seq ? seen()!.text : null)} handle={(h) => (list = h)}
        actions={actions} editing={editing()} />
      <Show when={dropping()}>
        <div aria-hidden="true" class="pointer-events-none absolute inset-2 flex items-center justify-center rounded-lg border-2 border-dashed border-blue-600 bg-blue-50/80 text-lg font-medium text-blue-900 dark:bg-blue-950/80 dark:text-blue-100">
          Drop files to attach them
        </div>
      </Show>
      <Show when={deleting()}>
        {(m) => (
          <ConfirmDialog title="Delete this message?" confirm="Delete" onAnswer={(yes) => {
            if (yes) void props.chat.remove(props.room, m().id);
            setDeleting(null);
          }}>
            It is removed for everyone, with its files and reactions. This can't be undone.
          </ConfirmDialog>
        )}
      </Show>
      <Show when={viewing()}>{(a) => <ImageViewer image={a()} onClose={() => setViewing(null)} />}</Show>
      <p class="h-5 truncate px-4 text-xs text-slate-600 dark:text-slate-400" data-testid="typing" aria-live="polite">
        {typers().length === 1 ? `${typers()[0]} is typing…` : typers().length > 1 ? `${typers().join(", ")} are typing…` : ""}
      </p>
      <Show when={canWrite()}
        fallback={
          <p role="status" data-testid="read-only" class="border-t border-slate-200 p-3 text-sm text-slate-700 dark:border-slate-700 dark:text-slate-300">
            You are no longer friends: this conversation is read-only. Add each other as friends again to write here.
          </p>
        }>
        <Composer draftKey={`chat.draft:${s.me?.id ?? ""}:${props.room}`} onSend={send}
          onTyping={(on) => props.chat.typing(props.room, on)} handle={(h) => (composer = h)}
          replyingTo={s.replyTo[props.room]} onCancelReply={() => props.chat.replyTo(props.room, undefined)}
          uploads={s.uploads.filter((u) => u.room === props.room)} onAttach={attach} onDetach={(key) => props.chat.detach(key)}
          onEditLast={() => { const m = messages().findLast((x) => x.from === s.me?.id && !x.deleted); if (m) actions.edit(m); }} />
      </Show>
    </section>
  );
}
