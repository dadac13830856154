/**
 * Getting the user's attention: unread count in the tab title and favicon, and (only after a clear
 * opt-in) desktop notifications and a short sound while the tab is hidden.
 */
import { createEffect, createSignal, onCleanup } from "solid-js";
import type { Chat } from "../../sdk/chat-store.ts";

const TITLE = "Chat";
const PREFS = { notify: "chat.notify", sound: "chat.sound" } as const;

export function faviconSvg(unread: number): string {
  const badge = unread > 0
    ? `<circle cx="23" cy="9" r="9" fill="#dc2626"/><text x="23" y="13" font-size="${unread > 9 ? 9 : 12}" font-family="sans-serif" font-weight="700" text-anchor="middle" fill="#fff">${unread > 99 ? "99+" : unread}</text>`
    : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M4 6a4 4 0 0 1 4-4h16a4 4 0 0 1 4 4v14a4 4 0 0 1-4 4H13l-7 6v-6H8a4 4 0 0 1-4-4z" fill="#1d4ed8"/>${badge}</svg>`;
}

function beep() {
  const audio = new AudioContext();
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.frequency.value = 880;
  gain.gain.setValueAtTime(0.08, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
  osc.connect(gain).connect(audio.destination);
  osc.start();
  osc.stop(audio.currentTime + 0.25);
  osc.onended = () => void audio.close();
}

export function createAttention(chat: Chat) {
  const s = chat.state;
  const stored = (key: string) => localStorage.getItem(key) === "on";
  const [notify, setNotify] = createSignal(stored(PREFS.notify) && "Notification" in window && Notification.permission === "granted");
  const [sound, setSound] = createSignal(stored(PREFS.sound));
  const unread = () => s.rooms.reduce((n, r) => n + r.unread, 0);

  createEffect(() => {
    const n = s.me ? unread() : 0;
    document.title = n > 0 ? `(${n}) ${TITLE}` : TITLE;
    const link = document.querySelector<HTMLLinkElement>("link[rel=icon]");
    if (link) link.href = n > 0 ? `data:image/svg+xml,${encodeURIComponent(faviconSvg(n))}` : "/favicon.svg";
  });

  onCleanup(chat.onFrame((frame) => {
    // Messages caught up after a reconnect are news as much as live ones.
    const news = frame.type === "message" ? [frame] : frame.type === "resumed" ? frame.messages.filter((m) => !m.deleted) : [];
    const f = news.findLast((m) => m.from !== s.me?.id);
    if (!f || document.visibilityState === "visible") return;
    if (sound()) beep();
    if (!notify()) return;
    const room = s.rooms.find((r) => r.id === f.room);
    const where = !room || room.kind === "dm" ? "" : ` in ${room.kind === "public" ? "#" : ""}${room.name}`;
    const n = new Notification(`${f.fromName}${where}`, { body: f.body.slice(0, 140), tag: f.room });
    n.onclick = () => {
      window.focus();
      void chat.open(f.room);
    };
  }));

  return {
    notify,
    sound,
    /** Asks the browser's permission only here, when the user clicked to turn notifications on. */
    async toggleNotify() {
      if (notify()) {
        localStorage.setItem(PREFS.notify, "off");
        return setNotify(false);
      }
      if (!("Notification" in window)) return;
      const granted = (await Notification.requestPermission()) === "granted";
      localStorage.setItem(PREFS.notify, granted ? "on" : "off");
      setNotify(granted);
    },
    toggleSound() {
      localStorage.setItem(PREFS.sound, sound() ? "off" : "on");
      setSound(!sound());
    },
  };
}
export type Attention = ReturnType<typeof createAttention>;
