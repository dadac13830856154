/**
 * Idle connections: opens N authenticated sockets (tickets fetched per connection), reports when all
 * are open, then holds them until killed. Usage: bun idle.ts '<json {target, tokens, n}>'
 */
import { connect, type Target } from "./clients.ts";

const cfg = JSON.parse(await Bun.file(process.argv[2]!).text()) as { target: Target; tokens: string[]; n: number };
const open: unknown[] = [];
const batch = 200;
for (let i = 0; i < cfg.n; i += batch) {
  const part = await Promise.all(
    Array.from({ length: Math.min(batch, cfg.n - i) }, (_, j) =>
      connect(cfg.target, "general", { token: cfg.tokens[(i + j) % cfg.tokens.length]! }, () => {}),
    ),
  );
  open.push(...part);
}
console.log(JSON.stringify({ open: open.length }));
await new Promise(() => {});
