import { createSignal, onMount, Show } from "solid-js";
import { AuthForm } from "./components/auth-form.tsx";
import { Conversation } from "./components/conversation.tsx";
import { Sidebar } from "./components/sidebar.tsx";
import { createChat } from "./sdk/chat-store.ts";

export function App() {
  const chat = createChat();
  const s = chat.state;
  const [ready, setReady] = createSignal(false);
  // Lets tests (and curious users in devtools) simulate a dropped network.
  (window as unknown as { __chatDrop: () => void }).__chatDrop = () => chat.socket.dropConnection();
  const enter = async () => {
    await chat.start();
    await chat.open("general");
  };
  onMount(async () => {
    if (await chat.api.resume()) await enter();
    setReady(true);
  });

  return (
    <Show when={ready()} fallback={<p class="p-6 text-slate-500">Loading…</p>}>
      <Show when={s.me} fallback={<AuthForm chat={chat} onDone={() => void enter()} />}>
        <div class="flex h-full flex-col">
          <header class="flex items-center justify-between border-b border-slate-200 dark:border-slate-700 px-4 py-2">
            <span class="font-semibold">Chat</span>
            <span class="text-sm" data-testid="connection">
              {s.connection === "online" ? `● ${s.me?.username}` : s.connection === "reconnecting" ? "reconnecting…" : s.connection}
            </span>
            <button class="text-sm text-blue-600" onClick={() => void chat.api.logout()}>Log out</button>
          </header>
          <Show when={s.notice}>
            <div role="alert" class="bg-amber-100 px-4 py-1 text-sm text-amber-900" onClick={chat.dismissNotice}>{s.notice}</div>
          </Show>
          <div class="flex min-h-0 flex-1">
            <div class="w-64 shrink-0 max-sm:w-40"><Sidebar chat={chat} /></div>
            <Show when={s.active} keyed fallback={<p class="p-6 text-slate-500">Pick a conversation</p>}>
              {(room) => <Conversation chat={chat} room={room} />}
            </Show>
          </div>
        </div>
      </Show>
    </Show>
  );
}
