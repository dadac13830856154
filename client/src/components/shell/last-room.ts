/** The conversation a user had open last, per user on this device, so reload and login land there. */
const key = (userId: string) => `chat.lastRoom.${userId}`;

export const lastRoom = (userId: string): string | null => localStorage.getItem(key(userId));
export const rememberRoom = (userId: string, room: string) => localStorage.setItem(key(userId), room);
