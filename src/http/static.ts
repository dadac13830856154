import { existsSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import { fail } from "../domain/errors.ts";

let embedded: Record<string, string> | null = null;

/** The executable carries the client inside itself: paths map to embedded files. */
export function useEmbeddedClient(files: Record<string, string>) {
  embedded = files;
}

/** Serves the web client for a raw (still percent-encoded) path; null when there is no such file. */
export type StaticHandler = (rawPath: string) => Promise<Response | null>;

const HTML = "text/html; charset=utf-8";
const cacheFor = (path: string) => (path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");

/**
 * Decodes a request path once. Malformed or overlong percent-encoding and NUL are a 400: no file
 * has such a name, and passing them on only reaches code that throws.
 */
export function decodePath(rawPath: string): string {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return fail("bad_request", "malformed path");
  }
  if (path.includes("\0")) fail("bad_request", "malformed path");
  return path;
}

/** Browsers ask for /favicon.ico whatever the page links; the client ships an SVG one. */
const FAVICON_ICO = "/favicon.ico";
const FAVICON_SVG = "/favicon.svg";

function embeddedHandler(files: Record<string, string>): StaticHandler {
  return async (rawPath) => {
    const path = decodePath(rawPath);
    const key = path === FAVICON_ICO ? FAVICON_SVG : path;
    const file = files[key] ?? (extname(key) ? undefined : files["/index.html"]);
    if (!file) return null;
    return new Response(Bun.file(file), { headers: { "Cache-Control": cacheFor(key) } });
  };
}

/**
 * Serves the built web client from `dir`: hashed assets cached forever, everything else falls back
 * to index.html (client-side routes). Returns undefined when the client has not been built.
 */
export function createStaticHandler(dir: string): StaticHandler | undefined {
  if (embedded) return embeddedHandler(embedded);
  const root = resolve(dir);
  const index = join(root, "index.html");
  if (!existsSync(index)) return undefined;
  return async (rawPath) => {
    const path = decodePath(rawPath);
    const wanted = path === FAVICON_ICO ? FAVICON_SVG : path;
    const file = resolve(root, `.${wanted}`);
    // With the separator: `dist-private/` starts like `dist` but is not inside it.
    if (file !== root && !file.startsWith(root + sep)) return null;
    if (extname(file)) {
      const f = Bun.file(file);
      if (!(await f.exists())) return null; // a missing file is a 404, not the app
      return new Response(f, { headers: { "Cache-Control": cacheFor(wanted) } });
    }
    return new Response(Bun.file(index), { headers: { "Cache-Control": "no-cache", "Content-Type": HTML } });
  };
}
