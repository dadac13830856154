/**
 * One client API over the servers' wire protocols, so every server is driven by the same load code:
 * connect into a room, send a body, receive bodies.
 */
/** The wire protocol a server speaks (the scale-out project speaks the project's). */
export type Protocol = "project" | "bare" | "socketio" | "centrifugo";

export interface BenchClient {
  send(body: string, seq: number): void;
  close(): void;
}

export interface Target {
  kind: Protocol;
  url: string; // http://127.0.0.1:PORT
}

export interface ProjectAccount {
  token: string;
}

const now = () => performance.timeOrigin + performance.now();
const READY_TIMEOUT_MS = 60_000;
/** Opening attempts of a socket the server refused before `ready` (as the SDK reconnects). */
const OPEN_ATTEMPTS = 5;

/** Thrown when the server closed the socket before `ready`; `code` is the close code. */
class ClosedBeforeReady extends Error {
  constructor(kind: Protocol, readonly code: number, reason: string) {
    super(`${kind}: socket closed before ready (${code} ${reason})`);
  }
}

/**
 * A client in its room, ready. A socket the server closes before `ready` with "try again later" (1013)
 * or an internal error (1011: a store that did not answer while 200 sockets open at once) is opened
 * again after a pause, as the SDK does; the last refusal fails the run with why. Retries are
 * counted on stderr, so a run that needed them says so.
 */
export async function connect(...args: Parameters<typeof connectOnce>): Promise<BenchClient> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectOnce(...args);
    } catch (err) {
      const retryable = err instanceof ClosedBeforeReady && (err.code === 1013 || err.code === 1011);
      if (!retryable || attempt >= OPEN_ATTEMPTS) throw err;
      console.error(`[generator] ${err.message}; opening again (attempt ${attempt + 1} of ${OPEN_ATTEMPTS})`);
      await Bun.sleep(250 * 2 ** attempt * (0.5 + Math.random()));
    }
  }
}

async function connectOnce(
  target: Target,
  room: string,
  account: ProjectAccount | null,
  onBody: (body: string) => void,
  /** The project's ack of a send, with the `ref` the send carried (the generator's send number). */
  onAck?: (ref: number) => void,
  /** Any other project frame (ai.start, ai.end…), raw. */
  onOther?: (frame: string) => void,
): Promise<BenchClient> {
  const ws = await openSocket(target, room, account);
  const ready = new Promise<void>((settle, reject) => {
    // A socket the server closes (or never readies) fails the run with why, instead of hanging it.
    const timer = setTimeout(() => reject(new Error(`${target.kind}: no ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    ws.onclose = (e) => reject(new ClosedBeforeReady(target.kind, e.code, e.reason));
    const resolve = () => {
      clearTimeout(timer);
      ws.onclose = null;
      settle();
    };
    ws.onmessage = (e) => {
      const data = String(e.data);
      switch (target.kind) {
        case "project": {
          // No full parse: parsing every frame is the generator's own cost. Frames relayed from
          // another instance have their keys in another order, so the type is looked up.
          const type = typeOf(data);
          if (type === "message") onBody(bodyOf(data));
          else if (type === "ack") onAck?.(refOf(data));
          else if (type === "ready") resolve();
          else onOther?.(data);
          return;
        }
        case "bare":
          if (data.startsWith('{"type":"ready"')) return resolve();
          return onBody(bodyOf(data));
        case "socketio":
          if (data === "2") return ws.send("3");
          if (data.startsWith("40")) return ws.send(JSON.stringify(["join", room]).replace(/^/, "42"));
          if (data.startsWith('42["ready"')) return resolve();
          if (data.startsWith('42["msg"')) return onBody(bodyOf(data));
          return;
        case "centrifugo":
          // Replies and pushes, newline-separated; an empty object is a ping to answer.
          for (const line of data.split("\n")) {
            if (line === "{}") ws.send("{}");
            else if (line.startsWith('{"push"')) onBody(bodyOf(line));
            else if (line.startsWith('{"id":1,')) ws.send(JSON.stringify({ id: 2, subscribe: { channel: room } }));
            else if (line.startsWith('{"id":2,')) resolve();
          }
          return;
      }
    };
  });
  if (target.kind === "socketio") ws.send("40");
  if (target.kind === "centrifugo") ws.send(JSON.stringify({ id: 1, connect: {} }));
  await ready;
  return {
    send(body, seq) {
      if (target.kind === "project") ws.send(JSON.stringify({ type: "send", room, body, clientId: `c${seq}-${now()}`, ref: String(seq) }));
      else if (target.kind === "bare") ws.send(JSON.stringify({ room, body }));
      else if (target.kind === "centrifugo") ws.send(JSON.stringify({ id: 3 + seq, publish: { channel: room, data: { body } } }));
      else ws.send("42" + JSON.stringify(["msg", { room, body }]));
    },
    close: () => ws.close(),
  };
}

async function openSocket(target: Target, room: string, account: ProjectAccount | null): Promise<WebSocket> {
  const base = target.url.replace(/^http/, "ws");
  let url: string;
  if (target.kind === "project") {
    // No keep-alive: idle HTTP sockets left open by the ticket requests would count as WebSocket memory.
    const res = await fetch(`${target.url}/api/auth/ws-ticket`, { method: "POST", keepalive: false, headers: { authorization: `Bearer ${account!.token}` } });
    const { ticket } = (await res.json()) as { ticket: string };
    url = `${base}/ws?ticket=${ticket}`;
  } else if (target.kind === "bare") url = `${base}/ws?room=${encodeURIComponent(room)}`;
  else if (target.kind === "centrifugo") url = `${base}/connection/websocket`;
  else url = `${base}/socket.io/?EIO=4&transport=websocket`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`could not connect to ${target.kind}`));
  });
}

/** The first "type" field: the frame's own (message fields have none; the generator writes the bodies). */
const typeOf = (frame: string) => {
  const at = frame.indexOf('"type":"') + 8;
  return at < 8 ? "" : frame.slice(at, frame.indexOf('"', at));
};

/** The ack's `ref` (the generator sends its send number as the ref). */
const refOf = (frame: string) => {
  const at = frame.indexOf('"ref":"') + 7;
  return Number(frame.slice(at, frame.indexOf('"', at)));
};

/**
 * The body field without parsing the whole frame: the generator's own CPU must not be what limits
 * a run, and every server puts the body in a JSON string field called "body".
 */
const bodyOf = (frame: string) => {
  const at = frame.indexOf('"body":"') + 8;
  return frame.slice(at, frame.indexOf('"', at));
};

export const timestampBody = (client: number) => {
  const head = `${now().toFixed(3)}|${client}|`;
  return head + "x".repeat(Math.max(0, 64 - head.length));
};
export const sentAt = (body: string) => Number(body.slice(0, body.indexOf("|")));
export { now };
