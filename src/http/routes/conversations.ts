import { Hono } from "hono";
import type { AuthService } from "../../domain/auth/auth-service.ts";
import type { ChatService } from "../../domain/chat-service.ts";
import type { RoomService } from "../../domain/room-service.ts";
import { addMemberSchema, createGroupSchema, historyQuerySchema, renameGroupSchema, roomsQuerySchema } from "../../protocol/index.ts";
import { requireAuth, type AppEnv } from "../context.ts";
import { validate } from "../validate.ts";

export function conversationRoutes(auth: AuthService, rooms: RoomService, chat: ChatService) {
  // On each route, not `.use`: mounted at "/", a `.use` would run for every /api path, known or not.
  const authed = requireAuth(auth);
  return new Hono<AppEnv>()
    .get("/conversations", authed, validate("query", roomsQuerySchema), async (c) => {
      const { after, limit } = c.req.valid("query");
      const page = await rooms.page(c.get("principal").userId, after, limit);
      return c.json({ conversations: page.rooms, next: page.next });
    })
    .get("/conversations/:id/messages", authed, validate("query", historyQuerySchema), async (c) => {
      const room = c.req.param("id");
      await rooms.assertMember(room, c.get("principal").userId);
      const { before, around, limit } = c.req.valid("query");
      if (around !== undefined) {
        const page = await chat.around(room, around, limit);
        return c.json({
          messages: page.messages,
          nextBefore: page.hasMore ? (page.messages.at(-1)?.seq ?? null) : null,
          nextAfter: page.hasNewer ? (page.messages[0]?.seq ?? null) : null,
        });
      }
      const page = await chat.history(room, before, limit);
      return c.json({ messages: page.messages, nextBefore: page.hasMore ? (page.messages.at(-1)?.seq ?? null) : null });
    })
    .get("/conversations/:id/reads", authed, async (c) =>
      c.json({ reads: await rooms.readers(c.get("principal").userId, c.req.param("id")) }),
    )
    .post("/dms/:userId", authed, async (c) => c.json(await rooms.openDm(c.get("principal"), c.req.param("userId"))))
    .post("/groups", authed, validate("json", createGroupSchema), async (c) => {
      const { name, members } = c.req.valid("json");
      return c.json(await rooms.createGroup(c.get("principal"), name, members), 201);
    })
    .patch("/groups/:id", authed, validate("json", renameGroupSchema), async (c) => {
      await rooms.rename(c.get("principal"), c.req.param("id"), c.req.valid("json").name);
      return c.body(null, 204);
    })
    .get("/groups/:id/members", authed, async (c) => c.json({ members: await rooms.members(c.get("principal"), c.req.param("id")) }))
    .post("/groups/:id/members", authed, validate("json", addMemberSchema), async (c) => {
      await rooms.addMember(c.get("principal"), c.req.param("id"), c.req.valid("json").userId);
      return c.body(null, 204);
    })
    .delete("/groups/:id/members/:userId", authed, async (c) => {
      await rooms.removeMember(c.get("principal"), c.req.param("id"), c.req.param("userId"));
      return c.body(null, 204);
    })
    .post("/rooms/:id/leave", authed, async (c) => {
      await rooms.leave(c.get("principal"), c.req.param("id"));
      return c.body(null, 204);
    });
}
