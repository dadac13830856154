/**
 * Baseline "limit": a bare Bun WebSocket server that republishes every frame to its room's topic.
 * No auth, no validation, no storage: the ceiling this runtime allows.
 * Clients connect to /ws?room=<room> and send {"room","body"}; everyone in the room (sender too) gets it.
 */
const port = Number(process.env.PORT ?? 4001);
const server = Bun.serve<{ room: string }, never>({
  port,
  hostname: "127.0.0.1",
  fetch(req, srv) {
    const room = new URL(req.url).searchParams.get("room") ?? "r0";
    return srv.upgrade(req, { data: { room } }) ? undefined : new Response("upgrade failed", { status: 400 });
  },
  websocket: {
    perMessageDeflate: false,
    open(ws) {
      ws.subscribe(ws.data.room);
      ws.send(JSON.stringify({ type: "ready" }));
    },
    message(ws, raw) {
      server.publish(ws.data.room, raw);
    },
  },
});
console.log(JSON.stringify({ msg: "listening", port: server.port }));
