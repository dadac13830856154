import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AuthService, Principal } from "../domain/auth/auth-service.ts";

export type AppEnv = { Variables: { principal: Principal } };

/** The credential of `Authorization: Bearer <token>`, if that is what the request carries. */
export const bearerToken = (c: Context): string | undefined => {
  const header = c.req.header("authorization");
  return header?.startsWith("Bearer ") ? header.slice(7) : undefined;
};

/** Requires `Authorization: Bearer <access token>` of a live session; checked once per request. */
export const requireAuth = (auth: AuthService) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!c.get("principal")) c.set("principal", await auth.authenticate(bearerToken(c)));
    await next();
  });
