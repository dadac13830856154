import { For, Show } from "solid-js";
import type { PendingUpload } from "../../sdk/chat-store.ts";
import { formatSize } from "./attachments.tsx";

/** Chips of the files for the next message: progress while uploading, cancel or remove, why one failed. */
export function PendingUploads(props: { uploads: PendingUpload[]; onDetach: (key: string) => void }) {
  return (
    <Show when={props.uploads.length > 0}>
      <ul class="mb-2 flex flex-wrap gap-2" aria-label="Files to send" data-testid="pending-uploads">
        <For each={props.uploads}>
          {(u) => (
            <li data-testid="upload" data-status={u.status}
              class={`flex max-w-full items-center gap-2 rounded-md border px-2 py-1 text-sm ${u.status === "failed" ? "border-red-600 bg-red-50 dark:bg-red-950/40" : "border-slate-300 dark:border-slate-600"}`}>
              <span class="min-w-0">
                <span class="block max-w-48 truncate font-medium">{u.name}</span>
                <Show when={u.status === "uploading"} fallback={
                  <span class={`block text-xs ${u.status === "failed" ? "text-red-700 dark:text-red-400" : "text-slate-600 dark:text-slate-400"}`} role={u.status === "failed" ? "alert" : undefined}>
                    {u.status === "failed" ? u.error : `${formatSize(u.size)} · ready`}
                  </span>
                }>
                  <progress class="block h-1.5 w-32" max={u.size || 1} value={u.sent} aria-label={`Uploading ${u.name}`} />
                </Show>
              </span>
              <button type="button" onClick={() => props.onDetach(u.key)}
                aria-label={`${u.status === "uploading" ? "Cancel upload of" : "Remove"} ${u.name}`}
                class="rounded px-1 hover:bg-slate-200 dark:hover:bg-slate-700">✕</button>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
