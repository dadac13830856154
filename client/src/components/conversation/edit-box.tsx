import { createSignal, onMount } from "solid-js";
import { LIMITS } from "../../../../src/protocol/index.ts";

/** Edits a message in place: Enter saves, Shift+Enter adds a line, Escape cancels. */
export function EditBox(props: { body: string; onSave: (body: string) => Promise<boolean>; onCancel: () => void }) {
  let area!: HTMLTextAreaElement;
  const [text, setText] = createSignal(props.body);
  const [saving, setSaving] = createSignal(false);
  const valid = () => text().trim().length > 0 && text().length <= LIMITS.bodyMax;
  const save = async () => {
    if (!valid() || saving()) return;
    if (text().trim() === props.body) return props.onCancel();
    setSaving(true);
    // Stays open when refused (the notice says why), so nothing typed is lost.
    if (!(await props.onSave(text().trim()))) setSaving(false);
  };
  const grow = () => {
    area.style.height = "auto";
    area.style.height = `${Math.min(area.scrollHeight, 200)}px`;
  };
  onMount(() => {
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
    grow();
  });
  return (
    <div data-testid="edit-box" class="my-1">
      <textarea ref={area} value={text()} aria-label="Edit message" rows={1} disabled={saving()}
        onInput={(e) => { setText(e.currentTarget.value); grow(); }}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            e.stopPropagation();
            props.onCancel();
          } else if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void save();
          }
        }}
        class="w-full resize-none rounded-md border border-slate-400 bg-white px-2 py-1 dark:border-slate-500 dark:bg-slate-900" />
      <p class="text-xs text-slate-600 dark:text-slate-400">
        {saving() ? "Saving…" : "Enter to save · Esc to cancel"}
        <button type="button" class="ml-2 text-blue-700 underline dark:text-blue-300" onClick={() => void save()} disabled={!valid() || saving()}>Save</button>
        <button type="button" class="ml-2 text-blue-700 underline dark:text-blue-300" onClick={() => props.onCancel()}>Cancel</button>
      </p>
    </div>
  );
}
