import type { Attachment } from "../protocol/index.ts";
import type { Lifecycle } from "./lifecycle.ts";

/** An uploaded file: what a message shows of it (Attachment), who may send it where, and its fate. */
export interface Upload extends Attachment {
  owner: string;
  /** The room it was uploaded for: the only room it can be sent in, and whose members may read it. */
  room: string;
  createdAt: number;
  /** Bytes of the preview stored beside it (previewKey), null when it has none. */
  previewSize: number | null;
  /**
   * Reserved by a send (see `claim`): from then on the room's members may read it, so a member who
   * gets the message can fetch the file at once, before `bind` has run.
   */
  claimed: boolean;
  /** The message that carries it, once that message is durable; null while unsent. */
  messageId: string | null;
}

/**
 * The metadata of uploads. The bytes live in the FileStore under the upload's id (and its preview
 * under previewKey(id)).
 */
export interface UploadRegistry extends Lifecycle {
  add(upload: Upload): Promise<void>;
  get(id: string): Promise<Upload | null>;
  /** Bytes of every upload of the user still stored (sent or not): what their quota counts. */
  usage(owner: string): Promise<number>;
  /**
   * Reserves uploads for one send, all or none: returns the ids now held by `claim` (newly, or
   * already by the same claim: a retried send, even after it was stored); unless that is all of
   * them, nothing new is held. Two concurrent sends never both hold one upload.
   */
  claim(ids: readonly string[], claim: string): Promise<Set<string>>;
  /** Records the message that carries them (idempotent). */
  bind(ids: readonly string[], messageId: string): Promise<void>;
  byMessage(messageId: string): Promise<Upload[]>;
  /**
   * Uploads no send ever reserved, created before `before`, oldest first. A reserved one is never
   * listed: its message may be stored even if `bind` never ran, and its file must outlive the TTL.
   */
  expired(before: number, limit: number): Promise<Upload[]>;
  /** Idempotent. */
  remove(id: string): Promise<void>;
}

/** Where an upload's preview is kept in the FileStore. */
export const previewKey = (id: string) => `${id}.preview`;
