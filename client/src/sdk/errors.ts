/**
 * Turns a failed request into a sentence for people. The server's messages are for developers (some
 * are raw validation text), so the client maps error codes to its own words, per action.
 */
import type { ErrorCode } from "../../../src/protocol/index.ts";
import { ApiError } from "./api.ts";

export type ErrorTexts = Partial<Record<ErrorCode, string>>;

const GENERAL: Record<ErrorCode, string> = {
  bad_request: "That doesn't look right. Check what you typed and try again.",
  unauthorized: "Your session has ended. Please log in again.",
  forbidden: "You're not allowed to do that.",
  not_found: "That no longer exists.",
  conflict: "That has already been done.",
  rate_limited: "That was a lot at once. Wait a moment and try again.",
  too_many_attempts: "Too many attempts. Wait a few minutes and try again.",
  payload_too_large: "That is too long.",
  unavailable: "The server is busy. Try again in a moment.",
  internal: "Something went wrong on our side. Try again.",
};

export function humanError(err: unknown, texts: ErrorTexts = {}): string {
  if (err instanceof ApiError) {
    const code = err.code as ErrorCode;
    return texts[code] ?? GENERAL[code] ?? GENERAL.internal;
  }
  return "Can't reach the server. Check your connection and try again.";
}

/** The username rule of the server (src/protocol/schemas.ts), in words. */
export const USERNAME_RULE = "3–32 characters: lowercase letters, digits and _";
export const PASSWORD_RULE = "At least 8 characters";
