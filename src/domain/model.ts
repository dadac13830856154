import type { Attachment, ChatMessage, RoomKind } from "../protocol/index.ts";

export type { Attachment, ChatMessage, RoomKind };

export interface User {
  id: string;
  username: string;
  passwordHash: string;
  createdAt: number;
  lastSeen: number | null;
}

/** A login session: one refresh-token family. Revoking it ends every token and socket of the family. */
export interface Session {
  id: string;
  userId: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface Room {
  id: string;
  kind: RoomKind;
  name: string;
  createdBy: string | null;
  createdAt: number;
}

export interface MemberRoom extends Room {
  lastReadSeq: number;
}

export interface FriendRequest {
  from: string;
  to: string;
  createdAt: number;
}

/** A message accepted from a client, before it has a seq. */
export interface MessageDraft {
  id: string;
  room: string;
  from: string;
  fromName: string;
  body: string;
  clientId: string;
  createdAt: number;
  incomplete?: boolean;
  /** The id of the message it answers (same room, checked by the domain). Its ReplyRef is resolved when read. */
  replyTo?: string;
  /** Ids of the room members its body mentions. */
  mentions?: string[];
  /** Uploads it carries, resolved by the domain before the append. */
  attachments?: Attachment[];
}

export interface AppendResult {
  message: ChatMessage;
  /** True when (from, room, clientId) was already stored: `message` is the original. */
  duplicate: boolean;
}

/** The stored message a draft becomes once it has its seq (what every MessageLog returns for a new one). */
export function messageOf(d: MessageDraft, seq: number): ChatMessage {
  const m: ChatMessage = { id: d.id, room: d.room, seq, from: d.from, fromName: d.fromName, body: d.body, createdAt: d.createdAt, clientId: d.clientId };
  if (d.incomplete) m.incomplete = true;
  // The ReplyRef is not the draft's to give: readers resolve it from the answered message as it is now.
  if (d.mentions?.length) m.mentions = d.mentions;
  if (d.attachments?.length) m.attachments = d.attachments;
  return m;
}

export const PUBLIC_ROOM_ID = "general";
export const BOT_USER_ID = "bot:ai";
export const BOT_USERNAME = "ai_bot";
