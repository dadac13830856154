import { createMemo, For, Show } from "solid-js";
import type { RoomSummary } from "../../../../src/protocol/index.ts";
import type { Chat } from "../../sdk/chat-store.ts";
import { RoomIcon } from "./room-icon.tsx";
import { shortWhen } from "./when.ts";

const activity = (r: RoomSummary) => r.lastMessage?.createdAt ?? 0;

/** Conversations, most recently active first, each with its last message and unread count. */
export function RoomList(props: { chat: Chat; onOpen: (room: string) => void }) {
  const s = props.chat.state;
  const rooms = createMemo(() => [...s.rooms].sort((a, b) => activity(b) - activity(a)));
  const online = (r: RoomSummary) => s.friends.some((f) => f.id === r.peer?.id && f.online);
  const preview = (r: RoomSummary) => {
    const m = r.lastMessage;
    if (!m) return "No messages yet";
    // One line of plain text: Markdown's bold, code and strike markers would only be noise here.
    const text = m.deleted ? "message deleted" : m.body ? m.body.replace(/\*\*|__|~~|`+/g, "").replace(/\s+/g, " ") : m.attachments?.length ? "sent a file" : "";
    return `${m.from === s.me?.id ? "You" : m.fromName}: ${text}`;
  };
  return (
    <ul data-testid="room-list">
      <For each={rooms()}>
        {(r) => (
          <li>
            <button data-testid="room" data-room={r.id} data-kind={r.kind} aria-current={s.active === r.id ? "true" : undefined}
              class={`flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left hover:bg-slate-100 dark:hover:bg-slate-800 ${s.active === r.id ? "bg-slate-100 dark:bg-slate-800" : ""}`}
              onClick={() => props.onOpen(r.id)}>
              <RoomIcon kind={r.kind} name={r.name} online={online(r)} />
              <span class="min-w-0 flex-1">
                <span class="flex items-baseline justify-between gap-2">
                  <span class={`truncate ${r.unread > 0 ? "font-semibold" : "font-medium"}`}>{r.kind === "dm" ? `@${r.name}` : r.kind === "public" ? `# ${r.name}` : r.name}</span>
                  <Show when={r.lastMessage}>
                    {(m) => <time class="shrink-0 text-xs text-slate-600 dark:text-slate-300" data-testid="room-time" datetime={new Date(m().createdAt).toISOString()}>{shortWhen(m().createdAt)}</time>}
                  </Show>
                </span>
                <span class="flex items-center justify-between gap-2">
                  <span class="truncate text-xs text-slate-600 dark:text-slate-300" data-testid="room-preview">{preview(r)}</span>
                  <Show when={(r.mentions ?? 0) > 0}>
                    <span class="shrink-0 rounded-full bg-amber-300 px-2 text-xs font-semibold text-amber-950" data-testid="mentions">
                      {r.mentions} mention{r.mentions === 1 ? "" : "s"}
                    </span>
                  </Show>
                  <Show when={r.unread > 0}>
                    <span class="shrink-0 rounded-full bg-blue-700 px-2 text-xs text-white" data-testid="unread">
                      {r.unread}<span class="sr-only"> unread</span>
                    </span>
                  </Show>
                </span>
              </span>
            </button>
          </li>
        )}
      </For>
    </ul>
  );
}
