import { onMount, type JSX } from "solid-js";

/** A modal yes/no question; Escape or "Cancel" says no. Focus starts on Cancel (the safe answer). */
export function ConfirmDialog(props: { title: string; children: JSX.Element; confirm: string; onAnswer: (yes: boolean) => void }) {
  let dialog!: HTMLDialogElement;
  let answered = false;
  const answer = (yes: boolean) => {
    if (answered) return;
    answered = true;
    dialog.close();
    props.onAnswer(yes);
  };
  onMount(() => dialog.showModal());
  return (
    <dialog ref={dialog} aria-labelledby="confirm-title" data-testid="confirm-dialog" onClose={() => answer(false)}
      class="m-auto w-[min(24rem,90vw)] rounded-md bg-white p-4 text-slate-900 shadow-xl backdrop:bg-black/50 dark:bg-slate-900 dark:text-slate-100">
      <h2 id="confirm-title" class="mb-2 font-semibold">{props.title}</h2>
      <div class="mb-4 text-sm text-slate-700 dark:text-slate-300">{props.children}</div>
      <div class="flex justify-end gap-2">
        <button type="button" autofocus onClick={() => answer(false)} class="rounded-md px-3 py-1.5 hover:bg-slate-100 dark:hover:bg-slate-800">Cancel</button>
        <button type="button" onClick={() => answer(true)} class="rounded-md bg-red-700 px-3 py-1.5 font-medium text-white hover:bg-red-800">{props.confirm}</button>
      </div>
    </dialog>
  );
}
