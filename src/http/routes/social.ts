import { Hono } from "hono";
import type { AuthService, Principal } from "../../domain/auth/auth-service.ts";
import type { SocialService } from "../../domain/social-service.ts";
import { friendRequestSchema, userSearchSchema } from "../../protocol/index.ts";
import { requireAuth, type AppEnv } from "../context.ts";
import { validate } from "../validate.ts";

/** `isAdmin` lets `/api/me` tell the client whether to offer the analytics dashboard. */
export function socialRoutes(auth: AuthService, social: SocialService, isAdmin: (p: Principal) => boolean) {
  // On each route, not `.use`: mounted at "/", a `.use` would run for every /api path, known or not.
  const authed = requireAuth(auth);
  return new Hono<AppEnv>()
    .get("/me", authed, (c) => {
      const p = c.get("principal");
      return c.json({ id: p.userId, username: p.username, admin: isAdmin(p) });
    })
    .get("/users", authed, validate("query", userSearchSchema), async (c) =>
      c.json({ users: await social.searchUsers(c.get("principal"), c.req.valid("query").q) }),
    )
    .get("/friends", authed, async (c) => c.json({ friends: await social.friends(c.get("principal")) }))
    .delete("/friends/:userId", authed, async (c) => {
      await social.unfriend(c.get("principal"), c.req.param("userId"));
      return c.body(null, 204);
    })
    .get("/friends/requests", authed, async (c) => c.json(await social.requests(c.get("principal"))))
    .post("/friends/requests", authed, validate("json", friendRequestSchema), async (c) => {
      const status = await social.request(c.get("principal"), c.req.valid("json").username);
      return c.json({ status }, status === "requested" ? 201 : 200);
    })
    .post("/friends/requests/:userId/accept", authed, async (c) => {
      await social.accept(c.get("principal"), c.req.param("userId"));
      return c.body(null, 204);
    })
    .post("/friends/requests/:userId/decline", authed, async (c) => {
      await social.decline(c.get("principal"), c.req.param("userId"));
      return c.body(null, 204);
    })
    .delete("/friends/requests/:userId", authed, async (c) => {
      await social.cancel(c.get("principal"), c.req.param("userId"));
      return c.body(null, 204);
    });
}
