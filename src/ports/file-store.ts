import type { Lifecycle } from "./lifecycle.ts";

/** Bytes `start..end` of a stored file, both inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The bytes of uploaded files, by key. Every instance of a deployment sees the same files (disk
 * for one embedded instance, GridFS when scaled out).
 */
export interface FileStore extends Lifecycle {
  /**
   * Streams `data` in under `key` (a new key: keys are never rewritten). Resolves once the bytes are
   * durable with how many were written. When `data` errors (the upload was cut or refused part
   * way) it rejects with that error and nothing remains under `key`.
   */
  put(key: string, data: ReadableStream<Uint8Array>): Promise<number>;
  /** The file, or the bytes of `range` of it; null when there is no file under `key`. */
  get(key: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | null>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
}
