/**
 * Worker entrypoints, resolved from this file at the root of src/. In the compiled executable
 * import.meta.url is the bundle's root, where the worker entrypoints keep their paths relative to
 * src/ — so URLs made here resolve the same from source and from the binary.
 */
export const WORKER_URLS = {
  sqliteWriter: new URL("./workers/sqlite-writer.worker.ts", import.meta.url),
  pipeline: new URL("./workers/pipeline.worker.ts", import.meta.url),
  ai: new URL("./workers/ai.worker.ts", import.meta.url),
  activity: new URL("./workers/activity.worker.ts", import.meta.url),
  indexing: new URL("./workers/indexing.worker.ts", import.meta.url),
  uploadSweeper: new URL("./workers/upload-sweeper.worker.ts", import.meta.url),
};
