import { Show } from "solid-js";
import type { Chat } from "../../sdk/chat-store.ts";
import type { Attention } from "./attention.ts";
import { BellIcon, ChartIcon, SearchIcon, SoundIcon } from "../icons.tsx";

const toggle = "flex items-center gap-1 rounded px-2 py-1 text-xs font-medium hover:bg-slate-100 dark:hover:bg-slate-800";
/** On phones the header shows icons only; the words stay for screen readers (and the buttons' names). */
const label = "max-sm:sr-only";

export function AppHeader(props: { chat: Chat; attention: Attention; onSearch: () => void; onDashboard?: (() => void) | undefined }) {
  const s = props.chat.state;
  return (
    <header class="flex items-center gap-2 border-b border-slate-200 px-3 py-1.5 dark:border-slate-700">
      <span class="font-semibold">Chat</span>
      <span class="text-sm text-slate-700 dark:text-slate-200" data-testid="connection">
        {s.connection === "online" ? `● ${s.me?.username}` : s.connection === "reconnecting" ? "reconnecting…" : s.connection}
      </span>
      <span class="ml-auto flex items-center gap-1">
        <button class={toggle} onClick={() => props.onSearch()} aria-keyshortcuts="Control+K Meta+K /" title="Search messages (Ctrl+K or /)">
          <SearchIcon /><span class={label}>Search</span>
        </button>
        <Show when={props.onDashboard}>
          {(open) => <button class={toggle} onClick={() => open()()}><ChartIcon /><span class={label}>Analytics</span></button>}
        </Show>
        <button class={toggle} aria-pressed={props.attention.notify()} onClick={() => void props.attention.toggleNotify()}
          title="Desktop notifications for new messages while this tab is in the background">
          <BellIcon /><span class={label}>{props.attention.notify() ? "Notifications on" : "Turn on notifications"}</span>
        </button>
        <button class={toggle} aria-pressed={props.attention.sound()} onClick={() => props.attention.toggleSound()}>
          <SoundIcon /><span class={label}>{props.attention.sound() ? "Sound on" : "Sound off"}</span>
        </button>
        <button class={`${toggle} text-blue-700 dark:text-blue-300`} onClick={() => void props.chat.api.logout()}><span class="whitespace-nowrap">Log out</span></button>
      </span>
    </header>
  );
}
