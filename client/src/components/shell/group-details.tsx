import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import type { RoomSummary } from "../../../../src/protocol/index.ts";
import type { Chat } from "../../sdk/chat-store.ts";
import { humanError } from "../../sdk/errors.ts";
import { lastSeen } from "../time.ts";
import { groupNameProblem } from "./new-group.tsx";
import { PresenceDot } from "./room-icon.tsx";

const small = "rounded px-2 py-0.5 text-xs font-medium";

/** A group's members with presence; its creator renames it and adds or removes members; anyone leaves. */
export function GroupDetails(props: { chat: Chat; room: RoomSummary; onClose: () => void }) {
  const s = props.chat.state;
  const api = props.chat.api;
  const [members, { refetch }] = createResource(() => props.room.id, async (id) => (await api.groupMembers(id)).members);
  const [name, setName] = createSignal(props.room.name);
  const [error, setError] = createSignal<string | null>(null);
  const [adding, setAdding] = createSignal("");
  const isCreator = () => props.room.createdBy === s.me?.id;
  const onlineOf = (id: string, fallback: boolean) => id === s.me?.id || (s.friends.find((f) => f.id === id)?.online ?? fallback);
  const candidates = () => s.friends.filter((f) => !members()?.some((m) => m.id === f.id));

  // Joins, leaves and presence changes show without reopening the panel.
  onCleanup(props.chat.onFrame((f) => {
    if (f.type === "member" && f.room === props.room.id) void refetch();
  }));

  const act = async (run: () => Promise<unknown>) => {
    try {
      setError(null);
      await run();
      await refetch();
    } catch (err) {
      setError(humanError(err, { forbidden: "Only the group's creator can do that.", conflict: "Already a member." }));
    }
  };
  const rename = (e: SubmitEvent) => {
    e.preventDefault();
    const problem = groupNameProblem(name());
    if (problem) return setError(problem);
    void act(() => api.renameGroup(props.room.id, name().trim()));
  };
  const leave = () => {
    if (!confirm(`Leave ${props.room.name}?`)) return;
    void act(async () => {
      await api.leaveRoom(props.room.id);
      props.onClose();
    });
  };

  return (
    <aside aria-labelledby="group-details-heading" data-testid="group-details"
      class="w-72 shrink-0 space-y-3 overflow-y-auto border-l border-slate-200 p-3 text-sm dark:border-slate-700 max-md:fixed max-md:inset-0 max-md:z-20 max-md:w-full max-md:border-0 max-md:bg-white max-md:dark:bg-slate-900">
      <div class="flex items-center justify-between">
        <h2 id="group-details-heading" class="font-semibold">Group details</h2>
        <button class={`${small} bg-slate-200 dark:bg-slate-700`} onClick={() => props.onClose()}>Close</button>
      </div>
      <Show when={isCreator()}>
        <form onSubmit={rename} class="flex gap-1" noValidate>
          <label class="sr-only" for="group-rename">Group name</label>
          <input id="group-rename" value={name()} onInput={(e) => setName(e.currentTarget.value)} aria-invalid={!!error()}
            class="min-w-0 flex-1 rounded-md border border-slate-400 dark:border-slate-500 bg-transparent px-2 py-1" />
          <button class={`${small} bg-blue-700 text-white`}>Rename</button>
        </form>
      </Show>
      <p role="alert" class="text-xs text-red-700 dark:text-red-300">{error()}</p>
      <section aria-labelledby="members-heading">
        <h3 id="members-heading" class="mb-1 text-xs font-semibold uppercase text-slate-600 dark:text-slate-300">
          Members<Show when={members()}>{(m) => ` (${m().length})`}</Show>
        </h3>
        <ul>
          <For each={members()}>
            {(m) => (
              <li class="flex items-center justify-between gap-2 py-1" data-testid="member">
                <span class="flex min-w-0 items-center gap-2">
                  <PresenceDot online={onlineOf(m.id, m.online)} />
                  <span class="truncate">{m.username}{m.id === s.me?.id ? " (you)" : ""}{m.id === props.room.createdBy ? " · creator" : ""}</span>
                </span>
                <span class="flex shrink-0 items-center gap-1">
                  <span class="text-xs text-slate-600 dark:text-slate-300">{onlineOf(m.id, m.online) ? "online" : lastSeen(m.lastSeen)}</span>
                  <Show when={isCreator() && m.id !== s.me?.id}>
                    <button class={`${small} text-red-700 dark:text-red-300`} aria-label={`Remove ${m.username} from the group`}
                      onClick={() => void act(() => api.removeMember(props.room.id, m.id))}>Remove</button>
                  </Show>
                </span>
              </li>
            )}
          </For>
        </ul>
      </section>
      <Show when={isCreator() && candidates().length > 0}>
        <form class="flex gap-1" onSubmit={(e) => { e.preventDefault(); if (adding()) void act(() => api.addMember(props.room.id, adding())).then(() => setAdding("")); }}>
          <label class="sr-only" for="group-add">Friend to add</label>
          <select id="group-add" value={adding()} onChange={(e) => setAdding(e.currentTarget.value)}
            class="min-w-0 flex-1 rounded-md border border-slate-400 dark:border-slate-500 bg-transparent px-2 py-1 dark:bg-slate-900">
            <option value="">Add a friend…</option>
            <For each={candidates()}>{(f) => <option value={f.id}>{f.username}</option>}</For>
          </select>
          <button class={`${small} bg-blue-700 text-white`} disabled={!adding()}>Add</button>
        </form>
      </Show>
      <button class={`${small} bg-red-700 text-white`} onClick={leave}>Leave group</button>
    </aside>
  );
}
