import { Show } from "solid-js";
import type { RoomSummary } from "../../../../src/protocol/index.ts";
import type { Chat } from "../../sdk/chat-store.ts";
import { lastSeen } from "../time.ts";
import { PresenceDot } from "./room-icon.tsx";

/** Above the conversation, one row: back to the list (phones), the room's name, the DM peer's presence, the group's details. */
export function RoomBar(props: { chat: Chat; room: RoomSummary; onBack: () => void; detailsOpen: boolean; onDetails: () => void }) {
  const peer = () => props.chat.state.friends.find((f) => f.id === props.room.peer?.id);
  return (
    <div class="flex min-h-11 items-center gap-3 border-b border-slate-200 px-3 py-1 text-sm dark:border-slate-700" data-testid="room-bar">
      <button class="rounded px-2 py-1 font-medium text-blue-700 hover:bg-slate-100 md:hidden dark:text-blue-300 dark:hover:bg-slate-800" onClick={() => props.onBack()}>
        <span aria-hidden="true">← </span>Chats
      </button>
      <h2 class="min-w-0 truncate text-base font-semibold">{props.room.kind === "dm" ? `@${props.room.name}` : `# ${props.room.name}`}</h2>
      <Show when={props.room.kind === "dm" && peer()}>
        {(p) => (
          <span class="flex items-center gap-2 text-slate-700 dark:text-slate-200" data-testid="dm-presence">
            <PresenceDot online={p().online} />
            {p().online ? "online" : lastSeen(p().lastSeen)}
          </span>
        )}
      </Show>
      <Show when={props.room.kind === "group"}>
        <button class="ml-auto rounded px-2 py-1 font-medium text-blue-700 hover:bg-slate-100 dark:text-blue-300 dark:hover:bg-slate-800"
          aria-expanded={props.detailsOpen} onClick={() => props.onDetails()}>
          Members and settings
        </button>
      </Show>
    </div>
  );
}
