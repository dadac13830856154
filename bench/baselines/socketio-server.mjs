// Baseline "seed stack": Socket.IO 4 on Node.js broadcasting to rooms, as the seed projects do.
// Events: "join" (room) then "msg" ({room, body}); io.to(room) delivers to everyone in it, sender too.
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.env.PORT ?? 4002);
const http = createServer();
const io = new Server(http, { transports: ["websocket"], serveClient: false });
io.on("connection", (socket) => {
  socket.on("join", (room) => {
    socket.join(room);
    socket.emit("ready");
  });
  socket.on("msg", (m) => io.to(m.room).emit("msg", m));
});
http.listen(port, "127.0.0.1", () => console.log(JSON.stringify({ msg: "listening", port })));
