/** The client's Markdown subset parses to plain data; only http(s) links survive. */
import { describe, expect, test } from "bun:test";
import { parseBlocks, parseInline, safeHref } from "../../client/src/components/conversation/markdown.ts";
import { shortcodeAt } from "../../client/src/components/conversation/shortcode.ts";

describe("markdown subset", () => {
  test("inline: bold, italic, code and links, with text between", () => {
    expect(parseInline("a **b** _c_ *d* `e*f*` [g](https://x.io/h) https://y.io/i.")).toEqual([
      { kind: "text", text: "a " },
      { kind: "bold", children: [{ kind: "text", text: "b" }] },
      { kind: "text", text: " " },
      { kind: "italic", children: [{ kind: "text", text: "c" }] },
      { kind: "text", text: " " },
      { kind: "italic", children: [{ kind: "text", text: "d" }] },
      { kind: "text", text: " " },
      { kind: "code", text: "e*f*" },
      { kind: "text", text: " " },
      { kind: "link", href: "https://x.io/h", children: [{ kind: "text", text: "g" }] },
      { kind: "text", text: " " },
      { kind: "link", href: "https://y.io/i", children: [{ kind: "text", text: "https://y.io/i" }] },
      { kind: "text", text: "." },
    ]);
  });

  test("no link for other schemes; markup characters stay text", () => {
    expect(parseInline("[x](javascript:alert(1)) <b>hi</b> 2*3*4 snake_case_name")).toEqual([
      { kind: "text", text: "[x](javascript:alert(1)) <b>hi</b> 2*3*4 snake_case_name" },
    ]);
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,x")).toBeNull();
    expect(safeHref("https://ok.example/")).toBe("https://ok.example/");
  });

  test("blocks: fenced code is kept verbatim, lists group, paragraphs keep their lines", () => {
    expect(parseBlocks("hi\nthere\n```\n**not bold**\n```\n- a\n- b\n1. c")).toEqual([
      { kind: "paragraph", lines: [[{ kind: "text", text: "hi" }], [{ kind: "text", text: "there" }]] },
      { kind: "codeblock", text: "**not bold**" },
      { kind: "list", ordered: false, items: [[{ kind: "text", text: "a" }], [{ kind: "text", text: "b" }]] },
      { kind: "list", ordered: true, items: [[{ kind: "text", text: "c" }]] },
    ]);
    // An unclosed fence is just text.
    expect(parseBlocks("```\ncode")).toEqual([{ kind: "paragraph", lines: [[{ kind: "text", text: "```" }], [{ kind: "text", text: "code" }]] }]);
  });

  test(":shortcode completion looks only at the word before the caret", () => {
    expect(shortcodeAt("nice :thu", 9)).toEqual({ start: 5, query: "thu" });
    expect(shortcodeAt("10:30", 5)).toBeNull();
    expect(shortcodeAt(":t", 2)).toBeNull();
  });
});

describe("mentions", () => {
  test("@username as the server recognises it: not inside a word or an e-mail address", () => {
    expect(parseInline("hi @bob_2, mail bob@example.com or x@bob")).toEqual([
      { kind: "text", text: "hi " },
      { kind: "mention", name: "bob_2" },
      { kind: "text", text: ", mail bob@example.com or x@bob" },
    ]);
    // Too short for a username, and inside code: plain text.
    expect(parseInline("@ab `@carol`")).toEqual([{ kind: "text", text: "@ab " }, { kind: "code", text: "@carol" }]);
  });
});
