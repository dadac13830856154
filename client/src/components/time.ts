export const timeOf = (ts: number) => new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
export const dayOf = (ts: number) => new Date(ts).toLocaleDateString([], { weekday: "long", month: "short", day: "numeric" });
export function lastSeen(ts: number | null): string {
  if (!ts) return "offline";
  const mins = Math.round((Date.now() - ts) / 60_000);
  if (mins < 1) return "last seen just now";
  if (mins < 60) return `last seen ${mins} min ago`;
  if (mins < 24 * 60) return `last seen at ${timeOf(ts)}`;
  return `last seen ${dayOf(ts)}`;
}
