import { existsSync } from "node:fs";
import { extname, join, normalize } from "node:path";

/**
 * Serves the built web client from `dir`: hashed assets cached forever, everything else falls back
 * to index.html (client-side routes). Returns null when the client has not been built.
 */
export function createStaticHandler(dir: string): ((path: string) => Promise<Response | null>) | undefined {
  const index = join(dir, "index.html");
  if (!existsSync(index)) return undefined;
  return async (path) => {
    const file = normalize(join(dir, decodeURIComponent(path)));
    if (!file.startsWith(dir)) return null; // no escaping the client folder
    const f = Bun.file(file);
    if (extname(file)) {
      if (!(await f.exists())) return null; // a missing file is a 404, not the app
      const immutable = file.startsWith(join(dir, "assets"));
      return new Response(f, { headers: { "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache" } });
    }
    return new Response(Bun.file(index), { headers: { "Cache-Control": "no-cache", "Content-Type": "text/html; charset=utf-8" } });
  };
}
