import { existsSync } from "node:fs";
import { extname, join, normalize } from "node:path";

let embedded: Record<string, string> | null = null;

/** The executable carries the client inside itself: paths map to embedded files. */
export function useEmbeddedClient(files: Record<string, string>) {
  embedded = files;
}

function embeddedHandler(files: Record<string, string>) {
  return async (path: string): Promise<Response | null> => {
    const file = files[path] ?? (extname(path) ? undefined : files["/index.html"]);
    if (!file) return null;
    const immutable = path.startsWith("/assets/");
    return new Response(Bun.file(file), { headers: { "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache" } });
  };
}

/**
 * Serves the built web client from `dir`: hashed assets cached forever, everything else falls back
 * to index.html (client-side routes). Returns null when the client has not been built.
 */
export function createStaticHandler(dir: string): ((path: string) => Promise<Response | null>) | undefined {
  if (embedded) return embeddedHandler(embedded);
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
