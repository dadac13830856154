import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AuthService } from "../../domain/auth/auth-service.ts";
import { fail } from "../../domain/errors.ts";
import { contentDisposition } from "../../domain/files/file-name.ts";
import { INLINE_IMAGE_TYPES } from "../../domain/files/content-type.ts";
import type { FileService } from "../../domain/files/file-service.ts";
import { uploadQuerySchema } from "../../protocol/index.ts";
import { parseByteRange } from "../byte-range.ts";
import { bearerToken, requireAuth, type AppEnv } from "../context.ts";
import { errorBody } from "../errors.ts";
import { isHttps } from "../request-info.ts";
import { validate } from "../validate.ts";

/** The access token again, in a cookie only /api/files sees: `<img src>` and download links cannot send a header. */
const FILE_COOKIE = "file_token";
const FILE_COOKIE_PATH = "/api/files";

/** Nothing a served file holds may run, frame or fetch: even an HTML file opened directly is inert. */
const FILE_CSP = "default-src 'none'; sandbox";

export function fileRoutes(auth: AuthService, files: FileService, opts: { trustProxy: boolean }) {
  const authed = requireAuth(auth);
  /**
   * Downloads accept the cookie too. Only GETs do: the cookie never authorises a change, so a
   * cross-site form cannot upload or delete (SameSite=Strict aside).
   */
  const reader = createMiddleware<AppEnv>(async (c, next) => {
    c.set("principal", await auth.authenticate(bearerToken(c) ?? getCookie(c, FILE_COOKIE)));
    await next();
  });

  const download = (variant: "file" | "preview") => async (c: Context<AppEnv>) => {
    const opened = await files.open(c.get("principal").userId, c.req.param("id") ?? "", variant, (size) => parseByteRange(c.req.header("range"), size));
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Content-Security-Policy", FILE_CSP);
    // Revalidated every time, so a member removed from the room loses access at once.
    c.header("Cache-Control", "private, no-cache");
    if ("unsatisfiable" in opened) {
      c.header("Content-Range", `bytes */${opened.size}`);
      return c.json(errorBody("bad_request", "range not satisfiable"), 416);
    }
    const { upload, body, size, type, range } = opened;
    const etag = `"${upload.id}-${variant}"`;
    c.header("ETag", etag);
    if (c.req.header("if-none-match") === etag) {
      await body.cancel();
      return c.body(null, 304);
    }
    // Inline only raster images the server could vouch for (dimensions read, preview made if it can).
    const inline = upload.image !== undefined && INLINE_IMAGE_TYPES.has(type);
    c.header("Content-Type", type);
    c.header("Content-Disposition", contentDisposition(inline ? "inline" : "attachment", upload.name));
    c.header("Accept-Ranges", "bytes");
    if (!range) {
      c.header("Content-Length", String(size));
      return c.body(body, 200);
    }
    c.header("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
    c.header("Content-Length", String(range.end - range.start + 1));
    return c.body(body, 206);
  };

  return new Hono<AppEnv>()
    .post("/auth/file-cookie", authed, (c) => {
      setCookie(c, FILE_COOKIE, bearerToken(c)!, {
        httpOnly: true,
        sameSite: "Strict",
        secure: isHttps(c.req.raw, opts.trustProxy),
        path: FILE_COOKIE_PATH,
      });
      c.header("Cache-Control", "no-store");
      return c.body(null, 204);
    })
    .delete("/auth/file-cookie", (c) => {
      deleteCookie(c, FILE_COOKIE, { path: FILE_COOKIE_PATH });
      return c.body(null, 204);
    })
    .post("/files", authed, validate("query", uploadQuerySchema), async (c) => {
      const { room, name } = c.req.valid("query");
      const length = c.req.header("content-length");
      const declared = length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
      const attachment = await files.upload(c.get("principal").userId, room, name, c.req.raw.body, declared).catch((err: unknown) => {
        // The client went away mid-upload (nothing was kept): its own doing, not a server fault to log as one.
        if (err instanceof Error && err.name === "AbortError") fail("bad_request", "the upload was interrupted");
        throw err;
      });
      return c.json(attachment, 201);
    })
    .get("/files/:id", reader, download("file"))
    .get("/files/:id/preview", reader, download("preview"))
    .delete("/files/:id", authed, async (c) => {
      await files.deleteUnsent(c.get("principal").userId, c.req.param("id"));
      return c.body(null, 204);
    });
}
