import { onMount } from "solid-js";
import type { Attachment } from "../../../../src/protocol/index.ts";
import { Api } from "../../sdk/api.ts";
import { formatSize } from "./attachments.tsx";

/** An image at full size in a modal dialog; Escape, the close button or a click outside closes it. */
export function ImageViewer(props: { image: Attachment; onClose: () => void }) {
  let dialog!: HTMLDialogElement;
  onMount(() => dialog.showModal());
  return (
    <dialog ref={dialog} aria-label={props.image.name} data-testid="image-viewer" onClose={() => props.onClose()}
      onClick={(e) => e.target === dialog && dialog.close()}
      class="m-auto max-h-[95vh] max-w-[95vw] rounded-md bg-white p-2 text-slate-900 backdrop:bg-black/70 dark:bg-slate-900 dark:text-slate-100">
      <div class="mb-2 flex items-center justify-between gap-4 text-sm">
        <span class="truncate">{props.image.name} · {formatSize(props.image.size)}</span>
        <span class="flex shrink-0 gap-3">
          <a href={Api.fileUrl(props.image.id)} download={props.image.name} class="text-blue-700 underline dark:text-blue-300">Download</a>
          <button type="button" onClick={() => dialog.close()} class="rounded px-2 hover:bg-slate-100 dark:hover:bg-slate-800" autofocus>Close</button>
        </span>
      </div>
      <img src={Api.fileUrl(props.image.id)} alt={props.image.name} width={props.image.image?.width} height={props.image.image?.height}
        class="block h-auto max-h-[85vh] w-auto max-w-full object-contain" />
    </dialog>
  );
}
