import type { ByteRange } from "../ports/index.ts";

/**
 * One range of an HTTP `Range: bytes=...` header (RFC 9110 §14.1.2) against a file of `size` bytes:
 * null to send it whole (no header, another unit, or several ranges, which the spec lets a server
 * ignore), "unsatisfiable" for a range that starts past the end.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | null | "unsatisfiable" {
  const m = header ? /^bytes=\s*(\d*)-(\d*)\s*$/.exec(header) : null;
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  if (end < start) return null; // syntactically invalid: ignored
  return { start, end };
}
