import { createSignal, For, Show } from "solid-js";
import type { Chat } from "../../sdk/chat-store.ts";
import { humanError } from "../../sdk/errors.ts";

export const GROUP_NAME_MAX = 80;
/** Why a group name is refused, or null; the server applies the same rule. */
export const groupNameProblem = (name: string) =>
  !name.trim() ? "A group needs a name." : name.trim().length > GROUP_NAME_MAX ? `Group names can be at most ${GROUP_NAME_MAX} characters.` : null;

/** Create a group with some friends; a blank name is refused with a message, not silently. */
export function NewGroup(props: { chat: Chat; onCreated: (room: string) => void }) {
  const s = props.chat.state;
  const [name, setName] = createSignal("");
  const [picked, setPicked] = createSignal<string[]>([]);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const problem = groupNameProblem(name());
    if (problem) return setError(problem);
    setBusy(true);
    try {
      setError(null);
      await props.chat.createGroup(name().trim(), picked());
      setName("");
      setPicked([]);
      if (s.active) props.onCreated(s.active);
    } catch (err) {
      setError(humanError(err, { forbidden: "You can only add friends to a group." }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="new-group-heading">
      <h2 id="new-group-heading" class="mb-1 text-xs font-semibold uppercase text-slate-600 dark:text-slate-300">New group</h2>
      <form onSubmit={create} class="space-y-1" noValidate>
        <label class="sr-only" for="group-name">Group name</label>
        <input id="group-name" placeholder="Group name" value={name()} onInput={(e) => setName(e.currentTarget.value)}
          aria-invalid={!!error()} aria-describedby="group-error"
          class="w-full rounded-md border border-slate-400 dark:border-slate-500 bg-transparent px-2 py-1" />
        <For each={s.friends}>
          {(f) => (
            <label class="flex items-center gap-2">
              <input type="checkbox" checked={picked().includes(f.id)}
                onChange={(e) => setPicked(e.currentTarget.checked ? [...picked(), f.id] : picked().filter((x) => x !== f.id))} />
              {f.username}
            </label>
          )}
        </For>
        <p id="group-error" role="alert" class="text-xs text-red-700 dark:text-red-300">{error()}</p>
        <button disabled={busy()} class="rounded-md bg-slate-200 dark:bg-slate-700 px-2 py-1">
          <Show when={busy()} fallback="Create group">Creating…</Show>
        </button>
      </form>
    </section>
  );
}
