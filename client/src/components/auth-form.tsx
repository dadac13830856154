import { createSignal, Show } from "solid-js";
import type { Chat } from "../sdk/chat-store.ts";

export function AuthForm(props: { chat: Chat; onDone: () => void }) {
  const [mode, setMode] = createSignal<"login" | "register">("login");
  const [error, setError] = createSignal<string | null>(null);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const [u, p] = [String(form.get("username")), String(form.get("password"))];
    try {
      setError(null);
      if (mode() === "login") await props.chat.api.login(u, p);
      else await props.chat.api.register(u, p);
      props.onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <main class="min-h-full flex items-center justify-center p-4">
      <form onSubmit={submit} class="w-full max-w-sm space-y-4 rounded-xl border border-slate-200 dark:border-slate-700 p-6 shadow-sm">
        <h1 class="text-2xl font-semibold">{mode() === "login" ? "Log in" : "Create an account"}</h1>
        <label class="block">
          <span class="text-sm">Username</span>
          <input name="username" autocomplete="username" required minLength={3} maxLength={32}
            class="mt-1 w-full rounded-md border border-slate-300 dark:border-slate-600 bg-transparent px-3 py-2" />
        </label>
        <label class="block">
          <span class="text-sm">Password</span>
          <input name="password" type="password" required minLength={mode() === "register" ? 8 : 1}
            autocomplete={mode() === "login" ? "current-password" : "new-password"}
            class="mt-1 w-full rounded-md border border-slate-300 dark:border-slate-600 bg-transparent px-3 py-2" />
        </label>
        <Show when={error()}>
          <p role="alert" class="text-sm text-red-600">{error()}</p>
        </Show>
        <button type="submit" class="w-full rounded-md bg-blue-600 px-3 py-2 font-medium text-white hover:bg-blue-700">
          {mode() === "login" ? "Log in" : "Sign up"}
        </button>
        <button type="button" class="w-full text-sm text-blue-600" onClick={() => setMode(mode() === "login" ? "register" : "login")}>
          {mode() === "login" ? "No account? Sign up" : "Have an account? Log in"}
        </button>
      </form>
    </main>
  );
}
