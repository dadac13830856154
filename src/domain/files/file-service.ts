import type { ByteRange, FileStore, ImagePreviewer, RateLimiter, RoomStore, Upload, UploadRegistry } from "../../ports/index.ts";
import { previewKey } from "../../ports/index.ts";
import { messageId as messageIdSchema, type Attachment } from "../../protocol/index.ts";
import type { ChatService } from "../chat-service.ts";
import { DomainError, fail } from "../errors.ts";
import { errorFields, type Logger } from "../../observability/logger.ts";
import { newId } from "../ids.ts";
import { spendHourly } from "../quota.ts";
import { detectType, fitInside, HEAD_BYTES, imageDimensions, INLINE_IMAGE_TYPES, MAX_IMAGE_PIXELS } from "./content-type.ts";
import { CountingStream } from "./counting-stream.ts";
import { sanitizeFileName } from "./file-name.ts";
import { discardFile, forgetUpload } from "./upload-expiry.ts";

export interface FileLimits {
  /** Largest upload (FILE_MAX_BYTES). */
  maxBytes: number;
  /** Bytes one user may keep stored, sent or not (FILE_QUOTA_BYTES). */
  quotaBytes: number;
  /** Uploads one user may start per hour (FILE_UPLOADS_PER_HOUR). */
  uploadsPerHour: number;
  /** Previews fit this square. */
  previewBox: number;
}

/** An open download: the upload, what to send of it and how big the whole is. */
export interface Download {
  upload: Upload;
  /** The bytes served: the file, its preview, or the requested range of either. */
  body: ReadableStream<Uint8Array>;
  /** Size of the whole served file (the preview's own size for a preview). */
  size: number;
  type: string;
  range: ByteRange | null;
}

/** The range a request asks for, given the size of what it reads: null for all of it. */
export type RangeRequest = (size: number) => ByteRange | null | "unsatisfiable";

/** A range outside the file: answered 416 with the size. */
export interface Unsatisfiable {
  unsatisfiable: true;
  size: number;
}

const attachmentOf = (u: Upload): Attachment => ({ id: u.id, name: u.name, size: u.size, type: u.type, ...(u.image ? { image: u.image } : {}) });

/**
 * Uploads, downloads and the fate of files: an upload belongs to its owner and the room it was
 * uploaded for; it is readable by that owner alone until a send reserves it, then by the room's
 * members (membership checked on every request); it goes away with its message, or after the TTL
 * if no send ever reserved it.
 */
export class FileService {
  constructor(
    private store: FileStore,
    private uploads: UploadRegistry,
    private rooms: RoomStore,
    private limiter: RateLimiter,
    /** Loaded on the first image (a native module costs startup time); null: no previews here. */
    private previewer: () => Promise<ImagePreviewer | null>,
    private limits: FileLimits,
  ) {}

  /**
   * Streams `body` into the store. Refused before a byte is stored when the declared length is
   * over the limit; refused mid-stream (and nothing kept) when the actual bytes pass it. The quota
   * check is not atomic with concurrent uploads of the same user: they may pass it by one file.
   */
  async upload(owner: string, room: string, rawName: string, body: ReadableStream<Uint8Array> | null, declaredLength: number | null): Promise<Attachment> {
    if (!(await this.rooms.isMember(room, owner))) fail("forbidden", "not a member of this room");
    if (declaredLength !== null && declaredLength > this.limits.maxBytes) this.tooLarge();
    const left = this.limits.quotaBytes - (await this.uploads.usage(owner));
    if (left <= 0 || (declaredLength !== null && declaredLength > left)) throw this.overQuota();
    await spendHourly(this.limiter, `uploads:${owner}`, this.limits.uploadsPerHour, "too many uploads, try again later");
    if (!body) fail("bad_request", "the file is empty");

    const id = newId();
    const overflow = () => (left < this.limits.maxBytes ? this.overQuota() : new DomainError("payload_too_large", this.tooLargeMessage()));
    const counter = new CountingStream(Math.min(this.limits.maxBytes, left), HEAD_BYTES, overflow);
    const size = await this.store.put(id, body!.pipeThrough(counter.stream));
    try {
      if (size === 0) fail("bad_request", "the file is empty");
      if (size > this.limits.maxBytes) this.tooLarge();
      const head = counter.head();
      const type = await detectType(head, size <= head.byteLength);
      const upload: Upload = { id, name: sanitizeFileName(rawName), size, type, owner, room, createdAt: Date.now(), previewSize: null, claimed: false, messageId: null };
      if (INLINE_IMAGE_TYPES.has(type)) await this.describeImage(upload, head);
      await this.uploads.add(upload);
      return attachmentOf(upload);
    } catch (err) {
      await discardFile(this.store, id);
      throw err;
    }
  }

  /** An unsent upload of its owner, e.g. removed from the message being written. */
  async deleteUnsent(userId: string, id: string): Promise<void> {
    const upload = await this.find(id);
    if (!upload || upload.owner !== userId) return fail("not_found", "no such file");
    if (upload.claimed) fail("conflict", "the file was sent: delete its message instead");
    await this.forget(upload);
  }

  /** The file (or its preview) for `userId`, who must be a member of its room now. */
  async open(userId: string, id: string, variant: "file" | "preview", range: RangeRequest): Promise<Download | Unsatisfiable> {
    const upload = await this.readable(userId, id);
    let key = id;
    let size = upload.size;
    let type = upload.type;
    if (variant === "preview") {
      if (!upload.image) fail("not_found", "this file has no preview");
      // Without a rendered preview (no image library on this build) the original is its own preview.
      if (upload.previewSize !== null) {
        key = previewKey(id);
        size = upload.previewSize;
        type = "image/webp";
      }
    }
    const wanted = range(size);
    if (wanted === "unsatisfiable") return { unsatisfiable: true, size };
    const body = await this.store.get(key, wanted ?? undefined);
    if (!body) return fail("not_found", "no such file");
    return { upload, body, size, type, range: wanted };
  }

  /**
   * For a send: the attachments of `ids`, each the sender's, uploaded for `room` and not sent by
   * another message, reserved for this send (`claim`: a retry of it with the same clientId
   * passes again). Call `bound` once the message is durable.
   */
  async attach(sender: string, room: string, clientId: string, ids: readonly string[]): Promise<Attachment[]> {
    if (new Set(ids).size !== ids.length) fail("bad_request", "an attachment is listed twice");
    const uploads = await Promise.all(ids.map((id) => this.uploads.get(id)));
    for (const u of uploads) {
      if (!u || u.owner !== sender) return fail("not_found", "no such upload");
      if (u.room !== room) fail("forbidden", "the file was uploaded for another room");
    }
    const held = await this.uploads.claim(ids, `${sender} ${room} ${clientId}`);
    if (held.size !== ids.length) fail("bad_request", "a file was already sent with another message");
    return (uploads as Upload[]).map(attachmentOf);
  }

  /** The message carrying `ids` is durable: they now live and die with it. */
  async bound(ids: readonly string[], messageId: string): Promise<void> {
    await this.uploads.bind(ids, messageId);
  }

  /**
   * A deleted message takes its files with it: those bound to it, and those it named (bound or not:
   * binding may have failed after the message was stored) unless another message holds them.
   */
  async messageDeleted(messageId: string, named: readonly string[] = []): Promise<void> {
    const bound = await this.uploads.byMessage(messageId);
    const extra = await Promise.all(named.filter((id) => !bound.some((u) => u.id === id)).map((id) => this.uploads.get(id)));
    const mine = extra.filter((u): u is Upload => u !== null && (u.messageId === null || u.messageId === messageId));
    for (const u of [...bound, ...mine]) await this.forget(u);
  }

  /**
   * Only ids of the protocol's shape are looked up (the path parameter is not otherwise checked): a NUL
   * or a 3,000-character key is an error on some engines (PostgreSQL under FerretDB), not a 404.
   */
  private find(id: string): Promise<Upload | null> {
    return messageIdSchema.safeParse(id).success ? this.uploads.get(id) : Promise.resolve(null);
  }

  private async readable(userId: string, id: string): Promise<Upload> {
    const upload = await this.find(id);
    // Until a send reserves it, an upload exists only for its owner.
    if (!upload || (!upload.claimed && upload.owner !== userId)) return fail("not_found", "no such file");
    if (!(await this.rooms.isMember(upload.room, userId))) fail("forbidden", "not a member of the room of this file");
    return upload;
  }

  /**
   * Dimensions and a preview. An image that is too large to decode safely (a decompression bomb) or
   * that the previewer cannot decode gets no `image`: clients then offer it as a download, never
   * render it inline.
   */
  private async describeImage(upload: Upload, head: Uint8Array): Promise<void> {
    const dims = imageDimensions(head);
    if (!dims || dims.width * dims.height > MAX_IMAGE_PIXELS) return;
    const fit = fitInside(dims.width, dims.height, this.limits.previewBox);
    const previewer = await this.previewer();
    if (!previewer) {
      upload.image = { ...dims, previewWidth: fit.width, previewHeight: fit.height };
      return;
    }
    const source = await this.store.get(upload.id);
    const preview = source ? await previewer.preview(source, this.limits.previewBox) : null;
    if (!preview) return;
    await this.store.put(previewKey(upload.id), new Blob([preview.bytes]).stream());
    upload.previewSize = preview.bytes.byteLength;
    upload.image = { ...dims, previewWidth: preview.width, previewHeight: preview.height };
  }

  private forget(u: Upload): Promise<void> {
    return forgetUpload(this.store, this.uploads, u);
  }

  private overQuota() {
    return new DomainError("conflict", `storage quota of ${this.limits.quotaBytes} bytes exceeded: delete unsent files or wait for them to expire`);
  }

  private tooLargeMessage() {
    return `the file is larger than ${this.limits.maxBytes} bytes`;
  }

  private tooLarge(): never {
    return fail("payload_too_large", this.tooLargeMessage());
  }
}

/**
 * Plugs files into messages: a send's upload ids become its attachments (reserved for that send),
 * a durable message binds them, a deletion erases them. The listeners run after the message or the
 * change is delivered. A failed bind costs nothing (deletion also goes by the ids the message
 * names); a failed erasure is logged and leaves the file in place.
 */
export function wireAttachments(chat: ChatService, files: FileService, log: Logger): void {
  chat.useAttachments((from, room, ids, clientId) => files.attach(from.userId, room, clientId, ids));
  chat.onMessage((m) => {
    if (!m.attachments?.length) return;
    files.bound(m.attachments.map((a) => a.id), m.id).catch((err) => log.warn("binding attachments failed", { messageId: m.id, ...errorFields(err) }));
  });
  chat.onChange((c) => {
    if (c.kind !== "delete") return;
    const named = c.removedAttachments?.map((a) => a.id) ?? [];
    files.messageDeleted(c.message.id, named).catch((err) => log.warn("deleting attachments failed", { messageId: c.message.id, ...errorFields(err) }));
  });
}
