import { imageSize } from "image-size";

/** Raster formats browsers decode without running anything: the only types ever served inline. */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** Larger images are never decoded (decompression bombs): no preview, no `image` metadata, download only. */
export const MAX_IMAGE_PIXELS = 64_000_000;

/** How much of the start of a file detection looks at (and the upload keeps in memory). */
export const HEAD_BYTES = 128 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The MIME type of a file from its first bytes (`head`; `complete` when that is the whole file),
 * never from its name or what the client claims: magic numbers first (file-type), then valid UTF-8
 * text (HTML and SVG named as such so nobody mistakes them for plain text), else octet-stream.
 */
export async function detectType(head: Uint8Array, complete: boolean): Promise<string> {
  // Imported on the first upload: it is ~20 ms of startup a server without uploads need not pay.
  const { fileTypeFromBuffer } = await import("file-type");
  const found = await fileTypeFromBuffer(head);
  // file-type calls any XML "application/xml": SVG is XML too, and must be named as what it is.
  if (found && found.mime !== "application/xml") return found.mime;
  const text = asText(head, complete);
  if (text === null) return found?.mime ?? "application/octet-stream";
  const start = text.trimStart().slice(0, 512).toLowerCase();
  if (/^(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype svg|<svg[\s>])/s.test(start)) return "image/svg+xml";
  if (/^(<!--.*?-->\s*)*(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]|<script[\s>])/s.test(start)) return "text/html";
  return found?.mime ?? "text/plain";
}

/** The head as text when it is valid UTF-8 without NUL bytes (a multi-byte character cut at the end of a partial head is fine). */
function asText(head: Uint8Array, complete: boolean): string | null {
  if (head.includes(0)) return null;
  let bytes = head;
  if (!complete) {
    // Drop a trailing, possibly cut, multi-byte sequence (at most 3 bytes of one).
    let cut = bytes.length;
    for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 3); i--) {
      const b = bytes[i]!;
      if ((b & 0xc0) === 0x80) continue; // continuation byte
      if (b >= 0xc0) cut = i; // a lead byte: its sequence may be incomplete
      break;
    }
    bytes = bytes.subarray(0, cut);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Width and height as displayed (EXIF rotation applied), read from the head; null when it does not hold them. */
export function imageDimensions(head: Uint8Array): { width: number; height: number } | null {
  try {
    const size = imageSize(head);
    if (!size.width || !size.height) return null;
    const rotated = size.orientation !== undefined && size.orientation >= 5;
    return rotated ? { width: size.height, height: size.width } : { width: size.width, height: size.height };
  } catch {
    return null;
  }
}

/** The size of an image scaled down (never up) to fit a `box` x `box` square. */
export function fitInside(width: number, height: number, box: number): { width: number; height: number } {
  const scale = Math.min(1, box / width, box / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
