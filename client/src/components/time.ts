// One formatter each: toLocale*String builds a new Intl.DateTimeFormat per call, which is slow for long lists.
const timeFormat = new Intl.DateTimeFormat([], { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat([], { weekday: "long", month: "short", day: "numeric" });
export const timeOf = (ts: number) => timeFormat.format(ts);
export const dayOf = (ts: number) => dayFormat.format(ts);
export const sameDay = (a: number, b: number) => new Date(a).toDateString() === new Date(b).toDateString();
export function lastSeen(ts: number | null): string {
  if (!ts) return "offline";
  const mins = Math.round((Date.now() - ts) / 60_000);
  if (mins < 1) return "last seen just now";
  if (mins < 60) return `last seen ${mins} min ago`;
  if (mins < 24 * 60) return `last seen at ${timeOf(ts)}`;
  return `last seen ${dayOf(ts)}`;
}
