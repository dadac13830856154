import { describe, expect, test } from "bun:test";
import { detectType, fitInside } from "../../src/domain/files/content-type.ts";
import { contentDisposition, sanitizeFileName } from "../../src/domain/files/file-name.ts";
import { parseByteRange } from "../../src/http/byte-range.ts";

describe("byte ranges", () => {
  test("single ranges, open ends and suffixes; clamped to the size", () => {
    expect(parseByteRange("bytes=0-9", 100)).toEqual({ start: 0, end: 9 });
    expect(parseByteRange("bytes=90-", 100)).toEqual({ start: 90, end: 99 });
    expect(parseByteRange("bytes=-5", 100)).toEqual({ start: 95, end: 99 });
    expect(parseByteRange("bytes=-500", 100)).toEqual({ start: 0, end: 99 });
    expect(parseByteRange("bytes=50-5000", 100)).toEqual({ start: 50, end: 99 });
  });
  test("past the end is unsatisfiable; anything else unusable means the whole file", () => {
    expect(parseByteRange("bytes=100-", 100)).toBe("unsatisfiable");
    expect(parseByteRange("bytes=-0", 100)).toBe("unsatisfiable");
    for (const h of [undefined, "", "bytes=", "bytes=-", "bytes=9-2", "bytes=0-1,5-6", "pages=1-2", "bytes=a-b"]) expect(parseByteRange(h, 100)).toBeNull();
  });
});

describe("file names", () => {
  test("last path segment, no control or bidi characters, no leading dots, bounded", () => {
    expect(sanitizeFileName("C:\\Users\\me\\report.pdf")).toBe("report.pdf");
    expect(sanitizeFileName("a/b/../.htaccess")).toBe("htaccess");
    expect(sanitizeFileName("evil\u202Egnp.exe")).toBe("evilgnp.exe");
    expect(sanitizeFileName("tab\there\nnew")).toBe("tabherenew");
    expect(sanitizeFileName('x<y>:"z"|?*.txt')).toBe("x_y___z____.txt");
    expect(sanitizeFileName("   ")).toBe("file");
    const long = sanitizeFileName(`${"é".repeat(300)}.tar.gz`);
    expect([...long]).toHaveLength(120);
    expect(long.endsWith(".gz")).toBe(true);
  });
  test("Content-Disposition has an ASCII fallback and the exact UTF-8 name", () => {
    expect(contentDisposition("attachment", 'naïve "plan".txt')).toBe(`attachment; filename="na_ve _plan_.txt"; filename*=UTF-8''na%C3%AFve%20%22plan%22.txt`);
  });
});

describe("content types", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  test("text, HTML and SVG from valid UTF-8; a cut multi-byte character at the end of a partial head is still text", async () => {
    expect(await detectType(enc("just words"), true)).toBe("text/plain");
    expect(await detectType(enc("<!-- c --><!DOCTYPE html><p>"), true)).toBe("text/html");
    expect(await detectType(enc('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), true)).toBe("image/svg+xml");
    const cut = enc("ab€").subarray(0, 4); // "ab" and 2 of the euro sign's 3 bytes
    expect(await detectType(cut, false)).toBe("text/plain");
    expect(await detectType(cut, true)).toBe("application/octet-stream");
    expect(await detectType(new Uint8Array([0x61, 0, 0x62]), true)).toBe("application/octet-stream");
  });
  test("previews fit the box and never grow", () => {
    expect(fitInside(1200, 600, 480)).toEqual({ width: 480, height: 240 });
    expect(fitInside(300, 4000, 480)).toEqual({ width: 36, height: 480 });
    expect(fitInside(100, 50, 480)).toEqual({ width: 100, height: 50 });
  });
});
