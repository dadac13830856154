import { z } from "zod";

/**
 * A reaction: one fully-qualified emoji of the Unicode RGI set (skin tones, flags and ZWJ sequences
 * included), or a short `:name:`. Client and server share it, so the picker can only offer what the
 * server accepts.
 */
const EMOJI = /^(?:\p{RGI_Emoji}|:[a-z0-9_+\-]{1,32}:)$/v;

export const isEmoji = (s: string): boolean => s.length <= 64 && EMOJI.test(s);

export const emojiSchema = z.string().max(64).refine(isEmoji, "not a single emoji or :name:");
