/** A stable hue per user id, so someone keeps their colour across rooms and reloads. */
export function hueOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 360;
}

/** Saturation and lightness of every avatar: at 28% even the brightest hue keeps white text ≥ 4.5:1. */
export const AVATAR_SL = { saturation: 60, lightness: 28 } as const;
export const avatarColour = (id: string) => `hsl(${hueOf(id)} ${AVATAR_SL.saturation}% ${AVATAR_SL.lightness}%)`;
