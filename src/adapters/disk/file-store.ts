import { mkdirSync } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ByteRange, FileStore } from "../../ports/index.ts";

const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * Files in one directory (DATA_DIR/files) for the embedded server. A file is written under a
 * temporary name, synced, then renamed into place, so a reader never sees half a file and a
 * failed upload leaves nothing behind (a crash mid-upload can leave a `.part`, removed at start).
 */
export class DiskFileStore implements FileStore {
  constructor(private dir: string) {}

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    for (const name of new Bun.Glob("*.part").scanSync(this.dir)) await rm(join(this.dir, name), { force: true });
  }

  async put(key: string, data: ReadableStream<Uint8Array>): Promise<number> {
    const final = this.path(key);
    const part = `${final}.part`;
    const file = await open(part, "wx", 0o600);
    let size = 0;
    try {
      const reader = data.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        await file.write(r.value);
        size += r.value.byteLength;
      }
      await file.sync();
      await file.close();
      await rename(part, final);
      return size;
    } catch (err) {
      await file.close().catch(() => {});
      await rm(part, { force: true });
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | null> {
    const path = this.path(key);
    if (!(await stat(path).catch(() => null))) return null;
    const file = Bun.file(path);
    return (range ? file.slice(range.start, range.end + 1) : file).stream();
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  private path(key: string): string {
    if (!KEY.test(key)) throw new Error(`invalid file key ${JSON.stringify(key)}`);
    return join(this.dir, key);
  }
}
