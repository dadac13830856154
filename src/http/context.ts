import { createMiddleware } from "hono/factory";
import type { AuthService, Principal } from "../domain/auth/auth-service.ts";

export type AppEnv = { Variables: { principal: Principal } };

/** Requires `Authorization: Bearer <access token>` of a live session. */
export const requireAuth = (auth: AuthService) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization");
    const token = header?.startsWith("Bearer ") ? header.slice(7) : undefined;
    c.set("principal", await auth.authenticate(token));
    await next();
  });
