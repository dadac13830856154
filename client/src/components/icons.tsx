/**
 * Small inline icons (Feather/Lucide outlines): no emoji or icon font needed, so they look the same
 * everywhere, and they follow the text colour.
 */
const svg = (d: string) => (props: { class?: string }) => (
  <svg aria-hidden="true" viewBox="0 0 24 24" class={`shrink-0 ${props.class ?? "h-4 w-4"}`} fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
    <path d={d} />
  </svg>
);

export const SearchIcon = svg("M11 18a7 7 0 1 1 0-14 7 7 0 0 1 0 14zm5-2 5 5");
export const BellIcon = svg("M6 16V11a6 6 0 0 1 12 0v5l2 2H4zm4 4a2 2 0 0 0 4 0");
export const SoundIcon = svg("M4 9h4l5-4v14l-5-4H4zm12 0a4 4 0 0 1 0 6");
export const ChartIcon = svg("M4 20V10m6 10V4m6 16v-7m4 7H3");
export const PaperclipIcon = svg("M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48");
export const SmileIcon = svg("M12 22a10 10 0 1 1 0-20 10 10 0 0 1 0 20zM8 14s1.5 2 4 2 4-2 4-2M9 9h.01M15 9h.01");
export const SmilePlusIcon = svg("M22 11v1a10 10 0 1 1-9-10M8 14s1.5 2 4 2 4-2 4-2M9 9h.01M15 9h.01M16 5h6M19 2v6");
export const FileIcon = svg("M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6M16 13H8M16 17H8M10 9H8");
export const SendIcon = svg("M22 2 11 13M22 2l-7 20-4-9-9-4z");
