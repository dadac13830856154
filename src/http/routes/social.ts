import { Hono } from "hono";
import type { AuthService } from "../../domain/auth/auth-service.ts";
import type { SocialService } from "../../domain/social-service.ts";
import { friendRequestSchema, userSearchSchema } from "../../protocol/index.ts";
import { requireAuth, type AppEnv } from "../context.ts";
import { validate } from "../validate.ts";

export function socialRoutes(auth: AuthService, social: SocialService) {
  return new Hono<AppEnv>()
    .use(requireAuth(auth))
    .get("/me", (c) => {
      const p = c.get("principal");
      return c.json({ id: p.userId, username: p.username });
    })
    .get("/users", validate("query", userSearchSchema), async (c) =>
      c.json({ users: await social.searchUsers(c.get("principal"), c.req.valid("query").q) }),
    )
    .get("/friends", async (c) => c.json({ friends: await social.friends(c.get("principal")) }))
    .delete("/friends/:userId", async (c) => {
      await social.unfriend(c.get("principal"), c.req.param("userId"));
      return c.body(null, 204);
    })
    .get("/friends/requests", async (c) => c.json(await social.requests(c.get("principal"))))
    .post("/friends/requests", validate("json", friendRequestSchema), async (c) => {
      const status = await social.request(c.get("principal"), c.req.valid("json").username);
      return c.json({ status }, status === "requested" ? 201 : 200);
    })
    .post("/friends/requests/:userId/accept", async (c) => {
      await social.accept(c.get("principal"), c.req.param("userId"));
      return c.body(null, 204);
    })
    .post("/friends/requests/:userId/decline", async (c) => {
      await social.decline(c.get("principal"), c.req.param("userId"));
      return c.body(null, 204);
    })
    .delete("/friends/requests/:userId", async (c) => {
      await social.cancel(c.get("principal"), c.req.param("userId"));
      return c.body(null, 204);
    });
}
