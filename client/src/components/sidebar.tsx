import { createSignal, For, Show } from "solid-js";
import type { Chat } from "../sdk/chat-store.ts";
import { lastSeen } from "./time.ts";

export function Sidebar(props: { chat: Chat }) {
  const s = props.chat.state;
  const [friendName, setFriendName] = createSignal("");
  const [groupName, setGroupName] = createSignal("");
  const [picked, setPicked] = createSignal<string[]>([]);
  const [msg, setMsg] = createSignal<string | null>(null);

  const addFriend = async (e: SubmitEvent) => {
    e.preventDefault();
    try {
      const r = await props.chat.api.requestFriend(friendName());
      setMsg(r.status === "accepted" ? "You are now friends" : "Request sent");
      setFriendName("");
      await props.chat.refreshSocial();
    } catch (err) {
      setMsg(err instanceof Error ? err.message : String(err));
    }
  };
  const createGroup = async (e: SubmitEvent) => {
    e.preventDefault();
    if (!groupName().trim()) return;
    await props.chat.createGroup(groupName().trim(), picked());
    setGroupName("");
    setPicked([]);
  };

  return (
    <nav aria-label="Conversations" class="flex h-full flex-col gap-4 overflow-y-auto border-r border-slate-200 dark:border-slate-700 p-3 text-sm">
      <section>
        <h2 class="mb-1 text-xs font-semibold uppercase text-slate-500">Chats</h2>
        <ul>
          <For each={s.rooms}>
            {(r) => (
              <li>
                <button
                  class={`flex w-full items-center justify-between rounded-md px-2 py-1.5 text-left hover:bg-slate-100 dark:hover:bg-slate-800 ${s.active === r.id ? "bg-slate-100 dark:bg-slate-800 font-medium" : ""}`}
                  onClick={() => void props.chat.open(r.id)}
                >
                  <span class="truncate">{r.kind === "dm" ? `@${r.name}` : `# ${r.name}`}</span>
                  <Show when={r.unread > 0}>
                    <span class="ml-2 rounded-full bg-blue-600 px-2 text-xs text-white" aria-label={`${r.unread} unread`}>{r.unread}</span>
                  </Show>
                </button>
              </li>
            )}
          </For>
        </ul>
      </section>

      <section>
        <h2 class="mb-1 text-xs font-semibold uppercase text-slate-500">Friends</h2>
        <ul>
          <For each={s.friends} fallback={<li class="text-slate-500">No friends yet</li>}>
            {(f) => (
              <li class="flex items-center justify-between gap-2 py-1">
                <button class="flex items-center gap-2 truncate" onClick={() => void props.chat.openDm(f.id)} title="Open a direct message">
                  <span class={`h-2.5 w-2.5 rounded-full ${f.online ? "bg-green-500" : "bg-slate-400"}`} aria-hidden="true" />
                  <span>{f.username}</span>
                </button>
                <span class="text-xs text-slate-500" data-testid={`presence-${f.username}`}>{f.online ? "online" : lastSeen(f.lastSeen)}</span>
              </li>
            )}
          </For>
        </ul>
        <form onSubmit={addFriend} class="mt-2 flex gap-1">
          <label class="sr-only" for="friend-name">Add a friend by username</label>
          <input id="friend-name" placeholder="Add friend by username" value={friendName()} onInput={(e) => setFriendName(e.currentTarget.value)}
            class="min-w-0 flex-1 rounded-md border border-slate-300 dark:border-slate-600 bg-transparent px-2 py-1" />
          <button class="rounded-md bg-slate-200 dark:bg-slate-700 px-2">Add</button>
        </form>
        <Show when={msg()}><p class="mt-1 text-xs text-slate-500" role="status">{msg()}</p></Show>
      </section>

      <Show when={s.incoming.length > 0}>
        <section>
          <h2 class="mb-1 text-xs font-semibold uppercase text-slate-500">Friend requests</h2>
          <For each={s.incoming}>
            {(r) => (
              <div class="flex items-center justify-between py-1">
                <span>{r.username}</span>
                <span class="flex gap-1">
                  <button class="rounded bg-green-600 px-2 text-white" onClick={async () => { await props.chat.api.accept(r.id); await props.chat.refreshSocial(); }}>Accept</button>
                  <button class="rounded bg-slate-300 dark:bg-slate-600 px-2" onClick={async () => { await props.chat.api.decline(r.id); await props.chat.refreshSocial(); }}>Decline</button>
                </span>
              </div>
            )}
          </For>
        </section>
      </Show>

      <section>
        <h2 class="mb-1 text-xs font-semibold uppercase text-slate-500">New group</h2>
        <form onSubmit={createGroup} class="space-y-1">
          <label class="sr-only" for="group-name">Group name</label>
          <input id="group-name" placeholder="Group name" value={groupName()} onInput={(e) => setGroupName(e.currentTarget.value)}
            class="w-full rounded-md border border-slate-300 dark:border-slate-600 bg-transparent px-2 py-1" />
          <For each={s.friends}>
            {(f) => (
              <label class="flex items-center gap-2">
                <input type="checkbox" checked={picked().includes(f.id)}
                  onChange={(e) => setPicked(e.currentTarget.checked ? [...picked(), f.id] : picked().filter((x) => x !== f.id))} />
                {f.username}
              </label>
            )}
          </For>
          <button class="rounded-md bg-slate-200 dark:bg-slate-700 px-2 py-1">Create group</button>
        </form>
      </section>
    </nav>
  );
}
