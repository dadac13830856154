import type { FileStore, Upload, UploadRegistry } from "../../ports/index.ts";
import { previewKey } from "../../ports/index.ts";

/** Deletes an upload's bytes (and preview), then its row: interrupted between the two, the row stays and the next attempt finishes. */
export async function forgetUpload(store: FileStore, uploads: UploadRegistry, u: Upload): Promise<void> {
  await discardFile(store, u.id);
  await uploads.remove(u.id);
}

export async function discardFile(store: FileStore, id: string): Promise<void> {
  await Promise.all([store.delete(id), store.delete(previewKey(id))]);
}

/** Removes up to `limit` uploads never sent and created before `before`, oldest first; returns how many. */
export async function sweepExpiredUploads(store: FileStore, uploads: UploadRegistry, before: number, limit: number): Promise<number> {
  const expired = await uploads.expired(before, limit);
  for (const u of expired) await forgetUpload(store, uploads, u);
  return expired.length;
}
