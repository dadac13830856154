import { createEffect, createSignal, For, on, onCleanup, Show } from "solid-js";
import type { SearchResponse } from "../../../../src/protocol/index.ts";
import type { SearchParams } from "../../sdk/api.ts";
import type { Chat } from "../../sdk/chat-store.ts";
import { humanError } from "../../sdk/errors.ts";
import { dayOf, timeOf } from "../time.ts";
import { searchable, segments, TERM_MIN } from "./highlight.ts";

type Hit = SearchResponse["hits"][number];

/** Typing pauses this long before the search runs. */
const DEBOUNCE_MS = 300;
const TOO_SHORT = `Type a word of at least ${TERM_MIN} characters.`;
const field = "rounded-md border border-slate-400 bg-white px-2 py-1 text-sm dark:border-slate-500 dark:bg-slate-900";

/** Local midnight of a `yyyy-mm-dd` date input, plus `days`, in epoch ms. */
const dayStart = (value: string, days = 0) => {
  const [y, m, d] = value.split("-").map(Number);
  return new Date(y!, m! - 1, d! + days).getTime();
};

/**
 * Message search: a modal dialog (focus stays inside, Escape closes) with the query, filters for
 * room, sender and dates, results newest first with the matches marked, and "Load more" by cursor.
 * Picking a result opens its conversation at that message.
 */
export function SearchDialog(props: { chat: Chat; open: boolean; onClose: () => void; onPick: (room: string, seq: number) => void }) {
  const s = props.chat.state;
  let dialog!: HTMLDialogElement;
  let input!: HTMLInputElement;
  const [q, setQ] = createSignal("");
  const [room, setRoom] = createSignal("");
  const [from, setFrom] = createSignal("");
  const [after, setAfter] = createSignal("");
  const [before, setBefore] = createSignal("");
  const [hits, setHits] = createSignal<Hit[]>([]);
  const [next, setNext] = createSignal<string | undefined>();
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [searched, setSearched] = createSignal(false);
  // Senders to filter by: me, friends and whoever appears in the results so far.
  const [people, setPeople] = createSignal<Record<string, string>>({});
  const senders = () => {
    const all: Record<string, string> = { ...people() };
    for (const f of s.friends) all[f.id] = f.username;
    if (s.me) all[s.me.id] = `${s.me.username} (you)`;
    return Object.entries(all).sort((a, b) => a[1].localeCompare(b[1]));
  };
  const roomName = (id: string) => {
    const r = s.rooms.find((x) => x.id === id);
    return r ? (r.kind === "dm" ? `@${r.name}` : `# ${r.name}`) : id;
  };

  const params = (): SearchParams | string => {
    if (!searchable(q())) return TOO_SHORT;
    const a = after() ? dayStart(after()) : undefined;
    const b = before() ? dayStart(before(), 1) : undefined;
    if (a !== undefined && b !== undefined && a >= b) return "The start date must not be after the end date.";
    return { q: q().trim(), room: room() || undefined, from: from() || undefined, after: a, before: b };
  };

  // Each search gets a number: an answer to an older one (typing on) is dropped.
  let generation = 0;
  const run = async (more: boolean) => {
    const p = params();
    const mine = ++generation;
    if (typeof p === "string") {
      setError(q().trim() ? p : null);
      setHits([]);
      setNext(undefined);
      setSearched(false);
      return;
    }
    setBusy(true);
    try {
      const page = await props.chat.api.search({ ...p, cursor: more ? next() : undefined });
      if (mine !== generation) return;
      setError(null);
      setHits(more ? [...hits(), ...page.hits] : page.hits);
      setNext(page.next);
      setSearched(true);
      setPeople((old) => ({ ...old, ...Object.fromEntries(page.hits.map((h) => [h.message.from, h.message.fromName])) }));
    } catch (err) {
      if (mine === generation) setError(humanError(err, { bad_request: TOO_SHORT, forbidden: "You are not a member of that room any more." }));
    } finally {
      if (mine === generation) setBusy(false);
    }
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  createEffect(on([q, room, from, after, before], () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(false), DEBOUNCE_MS);
  }, { defer: true }));
  onCleanup(() => clearTimeout(timer));

  createEffect(() => {
    if (props.open && !dialog.open) {
      dialog.showModal();
      input.select();
    } else if (!props.open && dialog.open) dialog.close();
  });

  return (
    <dialog ref={dialog} aria-labelledby="search-heading" data-testid="search-dialog" onClose={() => props.onClose()}
      onClick={(e) => e.target === dialog && props.onClose()}
      class="m-auto h-[min(44rem,92vh)] w-[min(44rem,96vw)] max-w-none rounded-lg bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100">
      <div class="flex h-full flex-col">
        <div class="flex items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-700">
          <h2 id="search-heading" class="font-semibold">Search messages</h2>
          <button type="button" class="ml-auto rounded px-2 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800" onClick={() => props.onClose()}>Close</button>
        </div>
        <form class="space-y-2 border-b border-slate-200 px-3 py-2 dark:border-slate-700" role="search" noValidate
          onSubmit={(e) => { e.preventDefault(); clearTimeout(timer); void run(false); }}>
          <input ref={input} type="search" aria-label="Search for" placeholder={`Search (at least ${TERM_MIN} characters)`} value={q()}
            onInput={(e) => setQ(e.currentTarget.value)} aria-invalid={!!error()} aria-describedby="search-error"
            class={`${field} w-full text-base`} />
          <div class="flex flex-wrap gap-2 text-sm">
            <label class="flex items-center gap-1">Room
              <select class={field} value={room()} onChange={(e) => setRoom(e.currentTarget.value)}>
                <option value="">All rooms</option>
                <For each={s.rooms}>{(r) => <option value={r.id}>{roomName(r.id)}</option>}</For>
              </select>
            </label>
            <label class="flex items-center gap-1">Sender
              <select class={field} value={from()} onChange={(e) => setFrom(e.currentTarget.value)}>
                <option value="">Anyone</option>
                <For each={senders()}>{([id, name]) => <option value={id}>{name}</option>}</For>
              </select>
            </label>
            <label class="flex items-center gap-1">From
              <input type="date" class={field} value={after()} onInput={(e) => setAfter(e.currentTarget.value)} />
            </label>
            <label class="flex items-center gap-1">To
              <input type="date" class={field} value={before()} onInput={(e) => setBefore(e.currentTarget.value)} />
            </label>
          </div>
          <p id="search-error" role="alert" data-testid="search-error" class="min-h-4 text-sm text-red-700 dark:text-red-300">{error()}</p>
        </form>
        <div class="min-h-0 flex-1 overflow-y-auto px-2 py-2" aria-busy={busy()}>
          <Show when={searched() && hits().length === 0 && !error()}>
            <p data-testid="search-empty" class="p-4 text-center text-sm text-slate-600 dark:text-slate-300">No messages match.</p>
          </Show>
          <ul aria-label="Results" class="space-y-1">
            <For each={hits()}>
              {(h) => (
                <li>
                  <button type="button" data-testid="search-hit" data-seq={h.message.seq} onClick={() => props.onPick(h.message.room, h.message.seq)}
                    class="w-full rounded-md px-2 py-1.5 text-left hover:bg-slate-100 focus:bg-slate-100 dark:hover:bg-slate-800 dark:focus:bg-slate-800">
                    <span class="flex flex-wrap items-baseline gap-x-2 text-xs text-slate-700 dark:text-slate-300">
                      <span class="font-semibold">{roomName(h.message.room)}</span>
                      <span>{h.message.fromName}</span>
                      <time dateTime={new Date(h.message.createdAt).toISOString()}>{dayOf(h.message.createdAt)} {timeOf(h.message.createdAt)}</time>
                    </span>
                    <span class="block whitespace-pre-wrap break-words text-sm">
                      <For each={segments(h.message.body, h.highlights)}>
                        {(seg) => (seg.mark ? <mark class="rounded-sm bg-amber-200 text-slate-900 dark:bg-amber-400">{seg.text}</mark> : seg.text)}
                      </For>
                    </span>
                  </button>
                </li>
              )}
            </For>
          </ul>
          <Show when={next()}>
            <button type="button" disabled={busy()} onClick={() => void run(true)}
              class="mx-auto my-2 block rounded-md bg-slate-200 px-3 py-1 text-sm dark:bg-slate-700">
              {busy() ? "Loading…" : "Load more"}
            </button>
          </Show>
        </div>
      </div>
    </dialog>
  );
}
