/**
 * A TCP proxy the chaos run controls, in front of one server: "pass" forwards both ways;
 * "blackhole" swallows every byte both ways and keeps the sockets open (a network cut without a
 * close frame or a FIN); "slow" stops reading from the server, so the server sees a client that
 * does not read (its send buffer fills up).
 */
import type { Socket, TCPSocketListener } from "bun";

export type ProxyMode = "pass" | "blackhole" | "slow";

interface Pair {
  client: Socket<Pair>;
  server: Socket<Pair> | null;
  pendingUp: Uint8Array[];
}

export class ChaosProxy {
  mode: ProxyMode = "pass";
  private listener: TCPSocketListener<Pair> | null = null;
  private pairs = new Set<Pair>();

  constructor(public upstreamPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.listener!.port}`;
  }

  start(): void {
    const proxy = this;
    this.listener = Bun.listen<Pair>({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(client) {
          const pair: Pair = { client, server: null, pendingUp: [] };
          client.data = pair;
          proxy.pairs.add(pair);
          void Bun.connect<Pair>({
            hostname: "127.0.0.1",
            port: proxy.upstreamPort,
            socket: {
              open(server) {
                server.data = pair;
                pair.server = server;
                for (const chunk of pair.pendingUp.splice(0)) server.write(chunk);
              },
              data(_server, chunk) {
                if (proxy.mode === "pass") client.write(chunk);
              },
              close() {
                if (proxy.mode !== "blackhole") client.end();
                proxy.pairs.delete(pair);
              },
              error() {},
            },
          }).catch(() => client.end());
        },
        data(client, chunk) {
          if (proxy.mode === "blackhole") return;
          const pair = client.data;
          if (pair.server) pair.server.write(chunk);
          else pair.pendingUp.push(chunk);
        },
        close(client) {
          if (proxy.mode !== "blackhole") client.data.server?.end();
        },
        error() {},
      },
    });
  }

  /** Throttles reads from the server: a slow reader. */
  setMode(mode: ProxyMode): void {
    this.mode = mode;
    for (const p of this.pairs) {
      if (mode === "slow") p.server?.pause?.();
      else p.server?.resume?.();
    }
  }

  stop(): void {
    for (const p of this.pairs) {
      p.server?.end();
      p.client.end();
    }
    this.listener?.stop(true);
  }
}
