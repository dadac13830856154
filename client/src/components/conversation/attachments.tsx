import { For, Show } from "solid-js";
import type { Attachment } from "../../../../src/protocol/index.ts";
import { Api } from "../../sdk/api.ts";
import { FileIcon } from "../icons.tsx";

/** "1.2 MB": file sizes as people read them. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let n = bytes / 1024;
  let i = 0;
  for (; n >= 1024 && i < units.length - 1; i++) n /= 1024;
  return `${n < 10 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

/**
 * A message's files: images inline at their preview size (the width and height attributes reserve
 * the space before the bytes arrive, so nothing below jumps), a click opens the viewer; other files
 * as a card with name, size and a download link.
 */
export function Attachments(props: { files: Attachment[]; onView: (a: Attachment) => void }) {
  return (
    <ul class="mt-1 flex flex-wrap gap-2" aria-label="Attachments" data-testid="attachments">
      <For each={props.files}>
        {(a) => (
          <li class="max-w-full">
            <Show when={a.image} fallback={
              <a href={Api.fileUrl(a.id)} download={a.name} data-testid="file-card"
                class="flex max-w-72 items-center gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700">
                <FileIcon class="h-7 w-7 text-slate-500 dark:text-slate-400" />
                <span class="min-w-0">
                  <span class="block truncate font-medium text-blue-700 underline dark:text-blue-300">{a.name}</span>
                  <span class="block text-xs text-slate-600 dark:text-slate-400">{formatSize(a.size)} · Download</span>
                </span>
              </a>
            }>
              {(img) => (
                <button type="button" onClick={() => props.onView(a)} aria-label={`Open image ${a.name}`} data-testid="image"
                  class="block max-w-full overflow-hidden rounded-md border border-slate-200 dark:border-slate-700">
                  <img src={Api.fileUrl(a.id, true)} alt={a.name} width={img().previewWidth} height={img().previewHeight} loading="lazy"
                    class="block h-auto max-w-full bg-slate-100 dark:bg-slate-800" />
                </button>
              )}
            </Show>
          </li>
        )}
      </For>
    </ul>
  );
}
