/** Small inline icons for the header: no emoji font or icon font needed, and they follow the text colour. */
const svg = (d: string) => () => (
  <svg aria-hidden="true" viewBox="0 0 24 24" class="h-4 w-4 shrink-0" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
    <path d={d} />
  </svg>
);

export const SearchIcon = svg("M11 18a7 7 0 1 1 0-14 7 7 0 0 1 0 14zm5-2 5 5");
export const BellIcon = svg("M6 16V11a6 6 0 0 1 12 0v5l2 2H4zm4 4a2 2 0 0 0 4 0");
export const SoundIcon = svg("M4 9h4l5-4v14l-5-4H4zm12 0a4 4 0 0 1 0 6");
export const ChartIcon = svg("M4 20V10m6 10V4m6 16v-7m4 7H3");
