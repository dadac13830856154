import { createSignal, onMount, Show } from "solid-js";
import { password as passwordSchema, username as usernameSchema } from "../../../src/protocol/index.ts";
import type { Chat } from "../sdk/chat-store.ts";
import { humanError, PASSWORD_RULE, USERNAME_RULE } from "../sdk/errors.ts";

const field = "mt-1 w-full rounded-md border border-slate-400 dark:border-slate-500 bg-transparent px-3 py-2 aria-[invalid=true]:border-red-600";

/** Log in or sign up. The rules are shown before typing, and nothing typed is cut off silently. */
export function AuthForm(props: { chat: Chat; onDone: () => void }) {
  const [mode, setMode] = createSignal<"login" | "register">("login");
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  let usernameInput!: HTMLInputElement;
  const registering = () => mode() === "register";
  onMount(() => usernameInput.focus());

  const invalid = (u: string, p: string): string | null => {
    if (!registering()) return u && p ? null : "Enter your username and password.";
    if (!usernameSchema.safeParse(u).success) return `Usernames are ${USERNAME_RULE}.`;
    if (!passwordSchema.safeParse(p).success) return `Passwords need ${PASSWORD_RULE.toLowerCase()} (at most 128).`;
    return null;
  };
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (busy()) return;
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const [u, p] = [String(form.get("username") ?? ""), String(form.get("password") ?? "")];
    const problem = invalid(u, p);
    setError(problem);
    if (problem) return usernameInput.focus();
    setBusy(true);
    try {
      if (registering()) await props.chat.api.register(u, p);
      else await props.chat.api.login(u.trim().toLowerCase(), p);
      props.onDone();
    } catch (err) {
      setError(
        humanError(err, registering()
          ? { conflict: "That username is taken. Try another one.", bad_request: `Usernames are ${USERNAME_RULE}; passwords ${PASSWORD_RULE.toLowerCase()}.` }
          : { unauthorized: "Wrong username or password.", bad_request: "Enter your username and password." }),
      );
    } finally {
      setBusy(false);
    }
  };
  const switchMode = () => {
    setMode(registering() ? "login" : "register");
    setError(null);
    usernameInput.focus();
  };
  return (
    <main class="min-h-full flex items-center justify-center p-4">
      <form onSubmit={submit} noValidate aria-busy={busy()} class="w-full max-w-sm space-y-4 rounded-xl border border-slate-200 dark:border-slate-700 p-6 shadow-sm">
        <h1 class="text-2xl font-semibold">{registering() ? "Create an account" : "Log in"}</h1>
        <label class="block">
          <span class="text-sm">Username</span>
          <input ref={usernameInput} name="username" autocomplete="username" autocapitalize="none" spellcheck={false} required
            aria-describedby={registering() ? "username-rule" : undefined} aria-invalid={!!error()} class={field} />
          <Show when={registering()}>
            <span id="username-rule" class="mt-1 block text-xs text-slate-600 dark:text-slate-300">{USERNAME_RULE}</span>
          </Show>
        </label>
        <label class="block">
          <span class="text-sm">Password</span>
          <input name="password" type="password" required aria-describedby={registering() ? "password-rule" : undefined}
            autocomplete={registering() ? "new-password" : "current-password"} aria-invalid={!!error()} class={field} />
          <Show when={registering()}>
            <span id="password-rule" class="mt-1 block text-xs text-slate-600 dark:text-slate-300">{PASSWORD_RULE}</span>
          </Show>
        </label>
        <Show when={error()}>
          <p role="alert" class="text-sm text-red-700 dark:text-red-300">{error()}</p>
        </Show>
        <button type="submit" disabled={busy()}
          class="w-full rounded-md bg-blue-700 px-3 py-2 font-medium text-white hover:bg-blue-800 disabled:cursor-wait disabled:opacity-80">
          {busy() ? (registering() ? "Signing up…" : "Logging in…") : registering() ? "Sign up" : "Log in"}
        </button>
        <button type="button" disabled={busy()} class="w-full text-sm text-blue-700 dark:text-blue-300" onClick={switchMode}>
          {registering() ? "Have an account? Log in" : "No account? Sign up"}
        </button>
      </form>
    </main>
  );
}
