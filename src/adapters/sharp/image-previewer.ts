import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { ImagePreview, ImagePreviewer } from "../../ports/index.ts";
import type { Logger } from "../../observability/logger.ts";

import { MAX_IMAGE_PIXELS } from "../../domain/files/content-type.ts";

/**
 * sharp loaded on first use, once: importing it takes ~40 ms of the socket thread, which a server
 * that never sees an image need not pay at startup.
 */
export function lazySharpPreviewer(log: Logger): () => Promise<ImagePreviewer | null> {
  let loading: Promise<ImagePreviewer | null> | null = null;
  return () => (loading ??= loadSharpPreviewer(log));
}

/**
 * Previews with sharp (libvips). It decodes and resizes on libuv's thread pool, so the socket thread
 * only moves bytes. sharp is a native module: the compiled single binary cannot load it, and there
 * `loadSharpPreviewer` answers null (images keep their dimensions; the original is the preview).
 */
async function loadSharpPreviewer(log: Logger): Promise<ImagePreviewer | null> {
  try {
    const { default: sharp } = await import("sharp");
    return {
      async preview(image: ReadableStream<Uint8Array>, box: number): Promise<ImagePreview | null> {
        const resize = sharp({ limitInputPixels: MAX_IMAGE_PIXELS, failOn: "error" })
          .rotate() // EXIF orientation, as the dimensions are reported
          .resize(box, box, { fit: "inside", withoutEnlargement: true })
          .webp({ quality: 80 });
        Readable.fromWeb(image as unknown as NodeReadableStream<Uint8Array>).pipe(resize);
        try {
          const { data, info } = await resize.toBuffer({ resolveWithObject: true });
          return { bytes: new Uint8Array(data), type: "image/webp", width: info.width, height: info.height };
        } catch {
          return null;
        }
      },
    };
  } catch (err) {
    log.warn("image previews off: sharp cannot load here", { reason: err instanceof Error ? err.message.split("\n")[0] : String(err) });
    return null;
  }
}
