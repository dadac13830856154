import { fail } from "../errors.ts";

/** Search pages continue after the last hit's (createdAt, id): stable while new messages arrive. */
export interface SearchPosition {
  createdAt: number;
  id: string;
}

export const encodeCursor = (p: SearchPosition): string => Buffer.from(JSON.stringify([p.createdAt, p.id])).toString("base64url");

export function decodeCursor(cursor: string): SearchPosition {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof createdAt === "number" && Number.isInteger(createdAt) && typeof id === "string" && id.length <= 64) return { createdAt, id };
  } catch {
    // fall through
  }
  return fail("bad_request", "cursor: invalid");
}
