import { expect, test } from "bun:test";
import { AVATAR_SL } from "../../client/src/components/conversation/avatar-colour.ts";

/** WCAG relative luminance of an HSL colour. */
function luminance(hue: number, s: number, l: number): number {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(8) + 0.0722 * channel(4);
}

test("white initials on every avatar hue meet WCAG AA (4.5:1)", () => {
  const worst = Math.min(
    ...Array.from({ length: 360 }, (_, hue) => 1.05 / (luminance(hue, AVATAR_SL.saturation / 100, AVATAR_SL.lightness / 100) + 0.05)),
  );
  expect(worst).toBeGreaterThanOrEqual(4.5);
});
