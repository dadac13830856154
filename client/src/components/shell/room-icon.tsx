import { Show } from "solid-js";
import type { RoomKind } from "../../../../src/protocol/index.ts";

const KIND_LABEL: Record<RoomKind, string> = { public: "Public room", group: "Group", dm: "Direct message" };

/** One glyph per kind of conversation; a DM's shows the peer's presence. */
export function RoomIcon(props: { kind: RoomKind; name: string; online?: boolean }) {
  return (
    <span class="relative flex h-8 w-8 shrink-0 items-center justify-center rounded-full bg-slate-200 text-sm font-semibold text-slate-800 dark:bg-slate-700 dark:text-slate-100"
      data-testid={`icon-${props.kind}`}>
      <span class="sr-only">{KIND_LABEL[props.kind]}: </span>
      {props.kind === "public" ? "#" : props.kind === "group" ? (
        <svg viewBox="0 0 20 20" class="h-4 w-4" fill="currentColor" aria-hidden="true">
          <path d="M7 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6Zm7 0a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5ZM1 16c0-3 2.7-5 6-5s6 2 6 5v1H1v-1Zm13 1v-1c0-1.6-.6-3-1.7-4 .5-.1 1.1-.2 1.7-.2 2.8 0 5 1.7 5 4.2v1h-5Z" />
        </svg>
      ) : props.name.slice(0, 1).toUpperCase()}
      <Show when={props.kind === "dm"}>
        <PresenceDot online={!!props.online} class="absolute -bottom-0.5 -right-0.5 ring-2 ring-white dark:ring-slate-900" />
      </Show>
    </span>
  );
}

export function PresenceDot(props: { online: boolean; class?: string }) {
  return (
    <span data-testid="presence-dot" data-online={props.online} aria-hidden="true"
      class={`h-2.5 w-2.5 rounded-full ${props.online ? "bg-green-600" : "bg-slate-400"} ${props.class ?? ""}`} />
  );
}
