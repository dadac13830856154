import { Hono } from "hono";
import type { AuthService } from "../../domain/auth/auth-service.ts";
import type { ChatService } from "../../domain/chat-service.ts";
import type { RoomService } from "../../domain/room-service.ts";
import { addMemberSchema, createGroupSchema, historyQuerySchema, roomsQuerySchema } from "../../protocol/index.ts";
import { requireAuth, type AppEnv } from "../context.ts";
import { validate } from "../validate.ts";

export function conversationRoutes(auth: AuthService, rooms: RoomService, chat: ChatService) {
  return new Hono<AppEnv>()
    .use(requireAuth(auth))
    .get("/conversations", validate("query", roomsQuerySchema), async (c) => {
      const { after, limit } = c.req.valid("query");
      const page = await rooms.page(c.get("principal").userId, after, limit);
      return c.json({ conversations: page.rooms, next: page.next });
    })
    .get("/conversations/:id/messages", validate("query", historyQuerySchema), async (c) => {
      const room = c.req.param("id");
      await rooms.assertMember(room, c.get("principal").userId);
      const { before, limit } = c.req.valid("query");
      const page = await chat.history(room, before, limit);
      return c.json({ messages: page.messages, nextBefore: page.hasMore ? (page.messages.at(-1)?.seq ?? null) : null });
    })
    .post("/dms/:userId", async (c) => c.json(await rooms.openDm(c.get("principal"), c.req.param("userId"))))
    .post("/groups", validate("json", createGroupSchema), async (c) => {
      const { name, members } = c.req.valid("json");
      return c.json(await rooms.createGroup(c.get("principal"), name, members), 201);
    })
    .post("/groups/:id/members", validate("json", addMemberSchema), async (c) => {
      await rooms.addMember(c.get("principal"), c.req.param("id"), c.req.valid("json").userId);
      return c.body(null, 204);
    })
    .delete("/groups/:id/members/:userId", async (c) => {
      await rooms.removeMember(c.get("principal"), c.req.param("id"), c.req.param("userId"));
      return c.body(null, 204);
    })
    .post("/rooms/:id/leave", async (c) => {
      await rooms.leave(c.get("principal"), c.req.param("id"));
      return c.body(null, 204);
    });
}
