import { GridFSBucket, type Db } from "mongodb";
import { Readable, Writable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import type { ByteRange, FileStore } from "../../ports/index.ts";

/**
 * Files in GridFS (bucket `uploads`: collections uploads.files and uploads.chunks), so every
 * instance serves every file. The file's key is its GridFS `_id`; a file appears (its files
 * document is written) only after its last chunk, and an upload that fails part way has its
 * chunks removed. Verified on FerretDB 1.24: upload, ranged download, delete and abort.
 */
export class GridFsFileStore implements FileStore {
  private bucket: GridFSBucket;

  constructor(private db: Db) {
    this.bucket = new GridFSBucket(db, { bucketName: "uploads", writeConcern: { w: "majority", journal: true } });
  }

  async put(key: string, data: ReadableStream<Uint8Array>): Promise<number> {
    const upload = this.bucket.openUploadStream(key, { id: key as never });
    try {
      await pipeline(Readable.fromWeb(data as unknown as NodeReadableStream<Uint8Array>), upload as unknown as Writable);
      return upload.length;
    } catch (err) {
      await upload.abort().catch(() => {});
      // abort() removes the chunks it knows of; also any written before the failure was noticed.
      await this.db.collection("uploads.chunks").deleteMany({ files_id: key }).catch(() => {});
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | null> {
    if (!(await this.db.collection("uploads.files").findOne({ _id: key as never }, { projection: { _id: 1 } }))) return null;
    const stream = this.bucket.openDownloadStream(key as never, range ? { start: range.start, end: range.end + 1 } : undefined);
    return Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
  }

  async delete(key: string): Promise<void> {
    await this.bucket.delete(key as never).catch((err: unknown) => {
      // Deleting a missing file is a success here (idempotent); GridFS reports it as an error.
      if (!(err instanceof Error && /not found|FileNotFound/i.test(err.message))) throw err;
    });
    // A delete cut short between the files document and its chunks leaves orphans: sweep them too.
    await this.db.collection("uploads.chunks").deleteMany({ files_id: key });
  }
}
