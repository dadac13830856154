import { createEffect, createSignal, lazy, onCleanup, onMount, Show } from "solid-js";
import { AuthForm } from "./components/auth-form.tsx";
import { Conversation } from "./components/conversation.tsx";
import { AppHeader } from "./components/shell/app-header.tsx";
import { createAttention } from "./components/shell/attention.ts";
import { ConnectionBanner } from "./components/shell/connection-banner.tsx";
import { lastRoom, rememberRoom } from "./components/shell/last-room.ts";
import { RoomBar } from "./components/shell/room-bar.tsx";
import { Sidebar } from "./components/sidebar.tsx";
import { SearchDialog } from "./components/search/search-dialog.tsx";
import { createChat } from "./sdk/chat-store.ts";

// uPlot and the charts load only when an administrator opens the dashboard (initial bundle budget).
const Dashboard = lazy(() => import("./components/analytics/dashboard.tsx"));

/** Whether a key press goes to something the user types into ("/" must stay a character there). */
const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));

// Only group members who open the details panel need it: loaded on first use.
const GroupDetails = lazy(() => import("./components/shell/group-details.tsx").then((m) => ({ default: m.GroupDetails })));

/** The open conversation's message box (the only textarea in the room pane). */
const focusComposer = () => queueMicrotask(() => document.querySelector<HTMLElement>("#main textarea")?.focus());

export function App() {
  const chat = createChat();
  const s = chat.state;
  const attention = createAttention(chat);
  const [ready, setReady] = createSignal(false);
  // Phones show the list or the conversation; wider screens show both side by side.
  const [pane, setPane] = createSignal<"list" | "room">("room");
  const [details, setDetails] = createSignal(false);
  const [searching, setSearching] = createSignal(false);
  const [dashboard, setDashboard] = createSignal(false);
  const [admin, setAdmin] = createSignal(false);
  const activeRoom = () => s.rooms.find((r) => r.id === s.active);
  // Lets tests (and curious users in devtools) simulate a dropped network.
  (window as unknown as { __chatDrop: () => void }).__chatDrop = () => chat.socket.dropConnection();

  const enter = async () => {
    await chat.start();
    void chat.api.me().then((me) => setAdmin(me.admin), () => setAdmin(false));
    const me = s.me!.id;
    const last = lastRoom(me);
    await chat.open(last && s.rooms.some((r) => r.id === last) ? last : "general");
    focusComposer();
  };
  onMount(async () => {
    if (await chat.api.resume()) await enter();
    setReady(true);
  });
  createEffect(() => s.me && s.active && rememberRoom(s.me.id, s.active));
  createEffect(() => !s.me && (setAdmin(false), setSearching(false), setDashboard(false)));
  // Ctrl/Cmd+K anywhere, or "/" outside text fields, opens the search.
  const onKey = (e: KeyboardEvent) => {
    if (!s.me) return;
    if (((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") || (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(e.target))) {
      e.preventDefault();
      setSearching(true);
    }
  };
  document.addEventListener("keydown", onKey);
  onCleanup(() => document.removeEventListener("keydown", onKey));
  const openHit = async (room: string, seq: number) => {
    setSearching(false);
    await chat.openAt(room, seq).catch(() => chat.open(room));
    setPane("room");
  };
  createEffect(() => activeRoom()?.kind !== "group" && setDetails(false));
  const opened = () => {
    setPane("room");
    focusComposer();
  };
  const showsRoom = () => pane() === "room" && !!s.active;

  return (
    <Show when={ready()} fallback={<p class="p-6 text-slate-600 dark:text-slate-300">Loading…</p>}>
      <Show when={s.me} fallback={<AuthForm chat={chat} onDone={() => void enter()} />}>
        <a href="#main" onClick={(e) => { e.preventDefault(); focusComposer(); }} class="sr-only rounded bg-blue-700 px-3 py-2 text-white focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-30">
          Skip to the message box
        </a>
        <div class="flex h-full flex-col">
          <AppHeader chat={chat} attention={attention} onSearch={() => setSearching(true)} onDashboard={admin() ? () => setDashboard(true) : undefined} />
          <SearchDialog chat={chat} open={searching()} onClose={() => setSearching(false)} onPick={(room, seq) => void openHit(room, seq)} />
          <Show when={dashboard()}>
            <Dashboard chat={chat} onClose={() => setDashboard(false)} />
          </Show>
          <ConnectionBanner chat={chat} />
          <Show when={s.notice}>
            <div role="alert" class="flex justify-between bg-amber-100 px-4 py-1 text-sm text-amber-950">
              {s.notice}
              <button class="text-xs underline" onClick={chat.dismissNotice}>Dismiss</button>
            </div>
          </Show>
          <div class="flex min-h-0 flex-1">
            <div class={`w-72 shrink-0 max-md:w-full ${showsRoom() ? "max-md:hidden" : ""}`} data-testid="list-pane">
              <Sidebar chat={chat} onOpen={opened} />
            </div>
            <main id="main" class={`flex min-w-0 flex-1 flex-col ${showsRoom() ? "" : "max-md:hidden"}`} data-testid="room-pane">
              <Show when={activeRoom()} fallback={<p class="p-6 text-slate-600 dark:text-slate-300">Pick a conversation</p>}>
                {(room) => (
                  <>
                    <RoomBar chat={chat} room={room()} onBack={() => setPane("list")} detailsOpen={details()} onDetails={() => setDetails(!details())} />
                    <div class="flex min-h-0 flex-1">
                      <Show when={s.active} keyed>{(id) => <Conversation chat={chat} room={id} />}</Show>
                      <Show when={details() && room().kind === "group" && s.active} keyed>
                        {(_id) => <GroupDetails chat={chat} room={room()} onClose={() => setDetails(false)} />}
                      </Show>
                    </div>
                  </>
                )}
              </Show>
            </main>
          </div>
        </div>
      </Show>
    </Show>
  );
}
