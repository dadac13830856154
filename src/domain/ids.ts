/** Deterministic DM room id: the same whoever opens it (sorted participant ids). */
export function dmRoomId(a: string, b: string): string {
  const [x, y] = [a, b].sort();
  return `dm:${x}:${y}`;
}

export function dmParticipants(roomId: string): [string, string] | null {
  const parts = roomId.split(":");
  return parts.length === 3 && parts[0] === "dm" ? [parts[1]!, parts[2]!] : null;
}

export const newId = (): string => Bun.randomUUIDv7();
