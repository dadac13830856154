/** Accounts, friendships and rooms for the project under test, made through its public API. */
const post = async (url: string, path: string, body: unknown, token?: string) => {
  const res = await fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
};

export interface BenchUser {
  id: string;
  username: string;
  token: string;
}

async function inBatches<T>(n: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => make(i + j)))));
  return out;
}

export async function registerUsers(url: string, n: number, prefix: string): Promise<BenchUser[]> {
  return inBatches(n, 8, async (i) => {
    const username = `${prefix}_${i}`;
    const r = (await post(url, "/api/auth/register", { username, password: "benchmark-password" })) as { accessToken: string; user: { id: string } };
    return { id: r.user.id, username, token: r.accessToken };
  });
}

export async function befriend(url: string, a: BenchUser, b: BenchUser) {
  await post(url, "/api/friends/requests", { username: b.username }, a.token);
  await post(url, `/api/friends/requests/${a.id}/accept`, {}, b.token);
}

/** Private groups of `size` members (the first of each slice creates it). */
export async function makeGroups(url: string, users: BenchUser[], size: number): Promise<string[]> {
  const rooms: string[] = [];
  for (let g = 0; g * size < users.length; g++) {
    const [owner, ...members] = users.slice(g * size, (g + 1) * size);
    await inBatches(members.length, 8, (i) => befriend(url, owner!, members[i]!));
    const room = (await post(url, "/api/groups", { name: `bench-${g}`, members: members.map((m) => m.id) }, owner!.token)) as { id: string };
    rooms.push(room.id);
  }
  return rooms;
}

/** DM rooms between consecutive pairs. */
export async function makeDms(url: string, users: BenchUser[]): Promise<{ token: string; room: string }[]> {
  const out: { token: string; room: string }[] = [];
  for (let i = 0; i + 1 < users.length; i += 2) {
    const [a, b] = [users[i]!, users[i + 1]!];
    await befriend(url, a, b).catch(() => {}); // already friends from a group
    const room = (await post(url, `/api/dms/${b.id}`, {}, a.token)) as { id: string };
    out.push({ token: a.token, room: room.id }, { token: b.token, room: room.id });
  }
  return out;
}
