import { createSignal, For, onCleanup, Show } from "solid-js";
import type { PublicUser } from "../../../../src/protocol/index.ts";
import type { Chat } from "../../sdk/chat-store.ts";
import { humanError } from "../../sdk/errors.ts";
import { lastSeen } from "../time.ts";
import { PresenceDot } from "./room-icon.tsx";

const small = "rounded px-2 py-0.5 text-xs font-medium";
const NOTE_MS = 5000;

/** Friends with presence, people search, incoming and outgoing requests. */
export function Friends(props: { chat: Chat; onOpenDm: (userId: string) => void }) {
  const s = props.chat.state;
  const [query, setQuery] = createSignal("");
  const [found, setFound] = createSignal<PublicUser[]>([]);
  const [note, setNote] = createSignal<{ text: string; error: boolean } | null>(null);
  let noteTimer: ReturnType<typeof setTimeout> | undefined;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => (clearTimeout(noteTimer), clearTimeout(searchTimer)));

  // A confirmation goes away by itself; an error stays until the next action.
  const say = (text: string, error = false) => {
    setNote({ text, error });
    clearTimeout(noteTimer);
    if (!error) noteTimer = setTimeout(() => setNote(null), NOTE_MS);
  };
  const act = async (run: () => Promise<unknown>, done: string | null, texts?: Parameters<typeof humanError>[1]) => {
    try {
      await run();
      if (done) say(done);
      await props.chat.refreshSocial();
    } catch (err) {
      say(humanError(err, texts), true);
    }
  };

  const search = (q: string) => {
    setQuery(q);
    clearTimeout(searchTimer);
    if (!q.trim()) return setFound([]);
    searchTimer = setTimeout(async () => {
      try {
        const users = (await props.chat.api.searchUsers(q.trim())).users;
        if (query() === q) setFound(users);
      } catch (err) {
        say(humanError(err), true);
      }
    }, 200);
  };
  const relation = (id: string) =>
    s.friends.some((f) => f.id === id) ? "friend" : s.outgoing.some((o) => o.id === id) ? "sent" : s.incoming.some((i) => i.id === id) ? "incoming" : null;
  const request = (u: PublicUser) =>
    act(async () => {
      const r = await props.chat.api.requestFriend(u.username);
      say(r.status === "accepted" ? `You and ${u.username} are now friends` : `Request sent to ${u.username}`);
      search("");
    }, null, { not_found: "Nobody has that username.", conflict: "You are already friends.", bad_request: "You can't add yourself." });

  return (
    <section aria-labelledby="friends-heading">
      <h2 id="friends-heading" class="mb-1 text-xs font-semibold uppercase text-slate-600 dark:text-slate-300">Friends</h2>
      <ul>
        <For each={s.friends} fallback={<li class="text-slate-600 dark:text-slate-300">No friends yet</li>}>
          {(f) => (
            <li class="flex items-center justify-between gap-2 py-1" data-testid="friend">
              <button class="flex min-w-0 items-center gap-2" onClick={() => props.onOpenDm(f.id)} title="Open a direct message">
                <PresenceDot online={f.online} />
                <span class="truncate">{f.username}</span>
              </button>
              <span class="flex shrink-0 items-center gap-1">
                <span class="text-xs text-slate-600 dark:text-slate-300" data-testid={`presence-${f.username}`}>{f.online ? "online" : lastSeen(f.lastSeen)}</span>
                <button class={`${small} text-slate-700 hover:bg-slate-200 dark:text-slate-200 dark:hover:bg-slate-700`} aria-label={`Unfriend ${f.username}`}
                  onClick={() => confirm(`Remove ${f.username} from your friends?`) && void act(async () => { await props.chat.api.unfriend(f.id); await props.chat.refreshRooms(); }, `${f.username} is no longer your friend`)}>
                  ✕
                </button>
              </span>
            </li>
          )}
        </For>
      </ul>

      <Show when={s.incoming.length > 0}>
        <h3 class="mt-2 text-xs font-semibold text-slate-600 dark:text-slate-300">Requests for you</h3>
        <For each={s.incoming}>
          {(r) => (
            <div class="flex items-center justify-between py-1" data-testid="incoming">
              <span class="truncate">{r.username}</span>
              <span class="flex gap-1">
                <button class={`${small} bg-green-700 text-white`} onClick={() => void act(() => props.chat.api.accept(r.id), `You and ${r.username} are now friends`)}>Accept</button>
                <button class={`${small} bg-slate-200 dark:bg-slate-700`} onClick={() => void act(() => props.chat.api.decline(r.id), null)}>Decline</button>
              </span>
            </div>
          )}
        </For>
      </Show>

      <Show when={s.outgoing.length > 0}>
        <h3 class="mt-2 text-xs font-semibold text-slate-600 dark:text-slate-300">Waiting for an answer</h3>
        <For each={s.outgoing}>
          {(r) => (
            <div class="flex items-center justify-between py-1" data-testid="outgoing">
              <span class="truncate">{r.username}</span>
              <button class={`${small} bg-slate-200 dark:bg-slate-700`} aria-label={`Cancel request to ${r.username}`}
                onClick={() => void act(() => props.chat.api.cancelRequest(r.id), `Request to ${r.username} cancelled`)}>Cancel</button>
            </div>
          )}
        </For>
      </Show>

      <div class="mt-2">
        <label class="sr-only" for="people-search">Find people by name</label>
        <input id="people-search" type="search" placeholder="Find people…" autocomplete="off" value={query()} onInput={(e) => search(e.currentTarget.value)}
          class="w-full rounded-md border border-slate-400 dark:border-slate-500 bg-transparent px-2 py-1" />
        <ul aria-label="People found" data-testid="people-found">
          <For each={found()}>
            {(u) => (
              <li class="flex items-center justify-between py-1">
                <span class="truncate">{u.username}</span>
                <Show when={relation(u.id)} fallback={
                  <button class={`${small} bg-blue-700 text-white`} aria-label={`Add ${u.username} as a friend`} onClick={() => void request(u)}>Add</button>
                }>
                  {(rel) => <span class="text-xs text-slate-600 dark:text-slate-300">{rel() === "friend" ? "friend" : rel() === "sent" ? "request sent" : "asked you"}</span>}
                </Show>
              </li>
            )}
          </For>
        </ul>
        <Show when={query().trim() && found().length === 0}><p class="text-xs text-slate-600 dark:text-slate-300">Nobody found yet</p></Show>
      </div>
      <p class={`mt-1 min-h-4 text-xs ${note()?.error ? "text-red-700 dark:text-red-300" : "text-slate-600 dark:text-slate-300"}`} role="status" data-testid="friends-note">{note()?.text}</p>
    </section>
  );
}
