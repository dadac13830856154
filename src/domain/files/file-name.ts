/** Longest file name kept, in characters (an extension survives the cut). */
export const FILE_NAME_MAX = 120;

/**
 * A file name safe to store, show and put in a Content-Disposition header: the last path segment
 * only, no control or bidi-override characters, no leading dots, bounded length; "file" when
 * nothing is left.
 */
export function sanitizeFileName(raw: string): string {
  const base = raw.normalize("NFC").split(/[\\/]/).at(-1) ?? "";
  const cleaned = base
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "")
    .replace(/[<>:"|?*]/g, "_")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^[.\s]+/, "");
  if (!cleaned) return "file";
  const chars = [...cleaned];
  if (chars.length <= FILE_NAME_MAX) return cleaned;
  const dot = cleaned.lastIndexOf(".");
  const ext = dot > 0 ? [...cleaned.slice(dot)] : [];
  const keepExt = ext.length > 1 && ext.length <= 16 ? ext : [];
  return chars.slice(0, FILE_NAME_MAX - keepExt.length).join("").trimEnd() + keepExt.join("");
}

/** `Content-Disposition` for a sanitised name: an ASCII fallback and the exact name (RFC 6266 / 5987). */
export function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
