import { avatarColour } from "./avatar-colour.ts";

export const initialsOf = (name: string) =>
  (name.replace(/[^\p{L}\p{N}]+/gu, " ").trim().split(" ").slice(0, 2).map((w) => w[0]).join("") || "?").toUpperCase();

/** Initials on a colour derived from the user id; dark enough for white text at WCAG AA. */
export function Avatar(props: { id: string; name: string }) {
  return (
    <span
      aria-hidden="true"
      data-testid="avatar"
      class="inline-flex h-9 w-9 shrink-0 select-none items-center justify-center rounded-full text-sm font-semibold text-white"
      style={{ "background-color": avatarColour(props.id) }}
    >
      {initialsOf(props.name)}
    </span>
  );
}
