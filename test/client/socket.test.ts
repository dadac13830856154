/**
 * The client socket's sequencing: changes (`updated`) take seqs like messages, so they count as
 * received and the next message is no gap; a real gap asks for a `resume`, whose page moves the
 * client to its `lastSeq`; edit/delete/react settle with their ack or error. Driven through a
 * stand-in for the browser's WebSocket (the client's own transport, not an engine).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Api } from "../../client/src/sdk/api.ts";
import { ChatSocket } from "../../client/src/sdk/socket.ts";
import type { ChatMessage, ClientFrame, ServerFrame } from "../../src/protocol/index.ts";

class BrowserSocket {
  static OPEN = 1;
  static last: BrowserSocket;
  readyState = BrowserSocket.OPEN;
  sent: ClientFrame[] = [];
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    BrowserSocket.last = this;
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {}
  receive(f: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
}

const saved = { WebSocket: globalThis.WebSocket, location: (globalThis as { location?: unknown }).location };
beforeAll(() => {
  Object.assign(globalThis, { WebSocket: BrowserSocket, location: { protocol: "http:", host: "chat.test" } });
});
afterAll(() => {
  Object.assign(globalThis, saved);
});

const ROOM = "general";
const msg = (seq: number, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id: `m${seq}`, room: ROOM, seq, from: "u-bob", fromName: "bob", body: `b${seq}`, createdAt: seq, clientId: `c${seq}`, ...extra,
});

async function connected() {
  const frames: ServerFrame[] = [];
  const socket = new ChatSocket({ ticket: async () => ({ ticket: "t" }) } as unknown as Api, {
    frame: (f) => frames.push(f),
    state: () => {},
    acked: () => {},
    failed: () => {},
  });
  await socket.connect();
  const ws = BrowserSocket.last;
  ws.receive({ type: "ready", user: { id: "u-me", username: "me" }, heartbeatMs: 60_000, rooms: [
    { id: ROOM, kind: "public", name: ROOM, lastSeq: 5, lastReadSeq: 5, unread: 0, lastMessage: null, createdBy: null },
  ] });
  const resumes = () => ws.sent.filter((f) => f.type === "resume");
  return { socket, ws, frames, resumes };
}

test("changes count as received seqs: a message after a reaction is no gap", async () => {
  const { socket, ws, frames, resumes } = await connected();
  ws.receive({ type: "updated", room: ROOM, fromSeq: 6, toSeq: 8, messages: [msg(3, { rev: 8, reactions: [{ emoji: "👍", users: ["u-x"] }] })] });
  ws.receive({ type: "message", ...msg(9) });
  expect(resumes()).toEqual([]);
  expect(socket.lastSeq.get(ROOM)).toBe(9);
  expect(frames.map((f) => f.type)).toEqual(["ready", "updated", "message"]);
  // Already covered: dropped.
  ws.receive({ type: "updated", room: ROOM, fromSeq: 7, toSeq: 8, messages: [] });
  expect(frames).toHaveLength(3);
});

test("a gap before a change asks for a resume; the page moves the client to its lastSeq, changes included", async () => {
  const { socket, ws, frames, resumes } = await connected();
  ws.receive({ type: "updated", room: ROOM, fromSeq: 7, toSeq: 7, messages: [msg(2, { rev: 7 })] });
  expect(resumes()).toEqual([expect.objectContaining({ room: ROOM, afterSeq: 5 })]);
  expect(frames.map((f) => f.type)).toEqual(["ready"]);
  // Seq 6 was a message, 7 the change, 8 a message: the page covers up to 8.
  ws.receive({ type: "resumed", room: ROOM, messages: [msg(6), msg(8)], updates: [msg(2, { rev: 7 })], hasMore: false, lastSeq: 8 });
  expect(socket.lastSeq.get(ROOM)).toBe(8);
  const resumed = frames.at(-1);
  expect(resumed?.type === "resumed" && resumed.messages.map((m) => m.seq)).toEqual([6, 8]);
  ws.receive({ type: "message", ...msg(9) });
  expect(resumes()).toHaveLength(1);
});

test("edit, delete and react settle with their own ack or error", async () => {
  const { socket, ws } = await connected();
  const edit = socket.request({ type: "edit", room: ROOM, id: "m3", body: "fixed", clientId: "e1" });
  const del = socket.request({ type: "delete", room: ROOM, id: "m4" });
  const [e, d] = ws.sent.slice(-2) as { ref: string }[];
  ws.receive({ type: "error", ref: d!.ref, code: "forbidden", message: "not yours" });
  ws.receive({ type: "ack", ref: e!.ref, room: ROOM, id: "m3", seq: 6, duplicate: false });
  expect(await edit).toMatchObject({ id: "m3", seq: 6 });
  await expect(del).rejects.toMatchObject({ code: "forbidden" });
  // A connection lost first: the outcome is unknown, the caller hears `unavailable`.
  const react = socket.request({ type: "react", room: ROOM, id: "m3", emoji: "👍", on: true });
  ws.onclose?.({ code: 1006 });
  await expect(react).rejects.toMatchObject({ code: "unavailable" });
  socket.close();
});
