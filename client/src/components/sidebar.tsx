import type { Chat } from "../sdk/chat-store.ts";
import { Friends } from "./shell/friends.tsx";
import { NewGroup } from "./shell/new-group.tsx";
import { RoomList } from "./shell/room-list.tsx";

/** The list side of the shell: conversations, friends, a new group. `onOpen` is called after a room opens. */
export function Sidebar(props: { chat: Chat; onOpen: (room: string) => void }) {
  const openDm = async (userId: string) => {
    await props.chat.openDm(userId);
    if (props.chat.state.active) props.onOpen(props.chat.state.active);
  };
  return (
    <nav aria-label="Conversations" class="flex h-full flex-col gap-4 overflow-y-auto border-r border-slate-200 dark:border-slate-700 p-3 text-sm max-md:border-r-0">
      <section aria-labelledby="chats-heading">
        <h2 id="chats-heading" class="mb-1 text-xs font-semibold uppercase text-slate-600 dark:text-slate-300">Chats</h2>
        <RoomList chat={props.chat} onOpen={(room) => void props.chat.open(room).then(() => props.onOpen(room))} />
      </section>
      <Friends chat={props.chat} onOpenDm={(id) => void openDm(id)} />
      <NewGroup chat={props.chat} onCreated={props.onOpen} />
    </nav>
  );
}
