import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AuthService, IssuedTokens } from "../../domain/auth/auth-service.ts";
import { credentialsSchema, loginSchema } from "../../protocol/index.ts";
import { bearerToken, requireAuth, type AppEnv } from "../context.ts";
import { clientAddress, isHttps } from "../request-info.ts";
import { validate } from "../validate.ts";

const COOKIE = "refresh_token";
const COOKIE_PATH = "/api/auth";

export interface AuthRouteOptions {
  trustProxy: boolean;
}

export function authRoutes(auth: AuthService, opts: AuthRouteOptions) {
  const clientIp = (c: Context) => clientAddress(c, opts.trustProxy);

  /** The refresh token only ever travels in an httpOnly cookie scoped to the auth endpoints. */
  const respond = (c: Context, t: IssuedTokens, status: 200 | 201 = 200) => {
    setCookie(c, COOKIE, t.refreshToken, {
      httpOnly: true,
      sameSite: "Strict",
      secure: isHttps(c.req.raw, opts.trustProxy),
      path: COOKIE_PATH,
      expires: new Date(t.refreshExpiresAt),
    });
    return c.json({ accessToken: t.accessToken, expiresIn: t.expiresIn, user: t.user }, status);
  };

  return new Hono<AppEnv>()
    // Tokens and tickets must never sit in a cache; errors here are not worth caching either.
    .use(async (c, next) => {
      await next();
      c.header("Cache-Control", "no-store");
    })
    .post("/register", validate("json", credentialsSchema), async (c) => {
      const { username, password } = c.req.valid("json");
      return respond(c, await auth.register(username, password, clientIp(c)), 201);
    })
    .post("/login", validate("json", loginSchema), async (c) => {
      const { username, password } = c.req.valid("json");
      return respond(c, await auth.login(username, password, clientIp(c)));
    })
    .post("/refresh", async (c) => {
      try {
        return respond(c, await auth.refresh(getCookie(c, COOKIE)));
      } catch (err) {
        deleteCookie(c, COOKIE, { path: COOKIE_PATH });
        throw err;
      }
    })
    .post("/logout", async (c) => {
      const bearer = bearerToken(c);
      const principal = bearer ? await auth.authenticate(bearer).catch(() => null) : null;
      await auth.logout(getCookie(c, COOKIE), principal);
      deleteCookie(c, COOKIE, { path: COOKIE_PATH });
      return c.body(null, 204);
    })
    .post("/ws-ticket", requireAuth(auth), async (c) => c.json(await auth.issueTicket(c.get("principal"))));
}
