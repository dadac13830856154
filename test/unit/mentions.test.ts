import { expect, test } from "bun:test";
import { MENTIONS_MAX, mentionedNames, replyRefOf } from "../../src/domain/mentions.ts";
import { LIMITS } from "../../src/protocol/index.ts";

test("mentions follow the username grammar, not inside words or e-mail addresses, each name once", () => {
  expect(mentionedNames("hi @bob_1, @carol and @bob_1 again")).toEqual(["bob_1", "carol"]);
  expect(mentionedNames("mail me at x@example.com or x.@dave")).toEqual([]);
  expect(mentionedNames("@al is too short, @Eve is not lowercase, @@zed doubled, (@ann_)")).toEqual(["ann_"]);
  expect(mentionedNames(`@${"a".repeat(33)} is too long`)).toEqual([]);
  expect(mentionedNames("no at sign at all")).toEqual([]);
});

test("at most MENTIONS_MAX names per message", () => {
  const body = Array.from({ length: 50 }, (_, i) => `@user_${i}`).join(" ");
  expect(mentionedNames(body)).toEqual(Array.from({ length: MENTIONS_MAX }, (_, i) => `user_${i}`));
});

test("a reply quotes the first characters of the current body, whole code points, nothing once deleted", () => {
  const base = { id: "m", room: "r", seq: 3, from: "u", fromName: "ann", createdAt: 0, clientId: "c" };
  const long = "😀".repeat(LIMITS.replySnippetMax + 5);
  expect(replyRefOf({ ...base, body: long }).snippet).toBe("😀".repeat(LIMITS.replySnippetMax));
  expect(replyRefOf({ ...base, body: "", deleted: true })).toEqual({ id: "m", seq: 3, from: "u", fromName: "ann", snippet: "", deleted: true });
});
