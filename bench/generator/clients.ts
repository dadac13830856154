/**
 * One client API over the three servers' wire protocols, so every server is driven by the same
 * load code: connect into a room, send a body, receive bodies.
 */
export type ServerKind = "project" | "bare" | "socketio";

export interface BenchClient {
  send(body: string, seq: number): void;
  close(): void;
}

export interface Target {
  kind: ServerKind;
  url: string; // http://127.0.0.1:PORT
}

export interface ProjectAccount {
  token: string;
}

const now = () => performance.timeOrigin + performance.now();

export async function connect(
  target: Target,
  room: string,
  account: ProjectAccount | null,
  onBody: (body: string) => void,
  onAck?: (seq: number) => void,
): Promise<BenchClient> {
  const ws = await openSocket(target, room, account);
  const ready = new Promise<void>((resolve) => {
    ws.onmessage = (e) => {
      const data = String(e.data);
      switch (target.kind) {
        case "project": {
          // Cheap prefix checks first: parsing every frame fully is the generator's own cost.
          if (data.startsWith('{"type":"message"')) onBody(bodyOf(data));
          else if (data.startsWith('{"type":"ack"')) onAck?.(JSON.parse(data).seq);
          else if (data.startsWith('{"type":"ready"')) resolve();
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
      }
    };
  });
  if (target.kind === "socketio") ws.send("40");
  await ready;
  return {
    send(body, seq) {
      if (target.kind === "project") ws.send(JSON.stringify({ type: "send", room, body, clientId: `c${seq}-${now()}`, ref: String(seq) }));
      else if (target.kind === "bare") ws.send(JSON.stringify({ room, body }));
      else ws.send("42" + JSON.stringify(["msg", { room, body }]));
    },
    close: () => ws.close(),
  };
}

async function openSocket(target: Target, room: string, account: ProjectAccount | null): Promise<WebSocket> {
  const base = target.url.replace(/^http/, "ws");
  let url: string;
  if (target.kind === "project") {
    const res = await fetch(`${target.url}/api/auth/ws-ticket`, { method: "POST", headers: { authorization: `Bearer ${account!.token}` } });
    const { ticket } = (await res.json()) as { ticket: string };
    url = `${base}/ws?ticket=${ticket}`;
  } else if (target.kind === "bare") url = `${base}/ws?room=${encodeURIComponent(room)}`;
  else url = `${base}/socket.io/?EIO=4&transport=websocket`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`could not connect to ${target.kind}`));
  });
}

/**
 * The body field without parsing the whole frame: the generator's own CPU must not be what limits
 * a run, and all three servers put the body in a JSON string field called "body".
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
