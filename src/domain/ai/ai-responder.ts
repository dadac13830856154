import type { AiTurn } from "../../ports/ai-model.ts";
import type { AiRunner, MessageReader, RateLimiter } from "../../ports/index.ts";
import type { Principal } from "../auth/auth-service.ts";
import type { ChatService } from "../chat-service.ts";
import { fail } from "../errors.ts";
import { newId } from "../ids.ts";
import { BOT_USER_ID, BOT_USERNAME, type ChatMessage } from "../model.ts";
import type { Notifier } from "../notifier.ts";

export interface AiSettings {
  contextMessages: number;
  systemPrompt: string;
  promptMax: number;
  ratePerMin: number;
}

const AI_PREFIX = /^\/ai(?:\s|$)/;
export const isAiPrompt = (body: string) => AI_PREFIX.test(body);

export const NOT_CONFIGURED =
  "AI replies are not enabled on this server. An administrator can enable them by setting GEMINI_API_KEY (and optionally GEMINI_MODEL) and restarting.";

/**
 * Answers `/ai <prompt>` in the room it was asked in: streams the bot's answer to every member
 * (ai.start, ai.delta…, ai.end), then stores it as one ordinary message. The stored answer's clientId
 * is derived from the prompt's id, so a request is answered at most once.
 */
export class AiResponder {
  constructor(
    private chat: ChatService,
    private reader: MessageReader,
    private notifier: Notifier,
    private limiter: RateLimiter,
    private runner: AiRunner | null,
    private s: AiSettings,
  ) {}

  /** Checked before a `/ai` message is stored, so a refused prompt leaves nothing behind. */
  async admit(me: Principal, body: string): Promise<void> {
    if (!isAiPrompt(body)) return;
    const prompt = body.replace(AI_PREFIX, "").trim();
    if (!prompt) fail("bad_request", "usage: /ai <question>");
    if (prompt.length > this.s.promptMax) fail("bad_request", `AI prompts are limited to ${this.s.promptMax} characters`);
    const allowed = await this.limiter.take(`ai:${me.userId}`, { capacity: this.s.ratePerMin, refillPerSec: this.s.ratePerMin / 60 });
    if (!allowed) fail("rate_limited", "too many AI requests, try again in a minute");
  }

  /** Listener for ChatService.onMessage. */
  readonly onMessage = (m: ChatMessage): void => {
    if (m.from === BOT_USER_ID || !isAiPrompt(m.body)) return;
    void this.answer(m);
  };

  private async answer(prompt: ChatMessage) {
    const streamId = newId();
    const room = prompt.room;
    this.notifier.toRoom(room, { type: "ai.start", room, streamId, botId: BOT_USER_ID, botName: BOT_USERNAME, replyTo: prompt.id });
    let text = "";
    let outcome: "complete" | "incomplete" | "failed" = "complete";
    let error: string | undefined;
    if (!this.runner) {
      text = NOT_CONFIGURED;
    } else {
      const context = await this.context(room, prompt.seq);
      let index = 0;
      const result = await this.runner.run(
        { system: this.s.systemPrompt, context, prompt: prompt.body.replace(AI_PREFIX, "").trim() },
        (delta) => {
          text += delta;
          this.notifier.toRoom(room, { type: "ai.delta", room, streamId, index: index++, text: delta });
        },
      );
      outcome = result.outcome;
      error = result.error;
      if (outcome === "failed") text = `The AI could not answer right now (${error ?? "unknown error"}). Please try again later.`;
    }
    try {
      const { message } = await this.chat.post({
        room,
        from: BOT_USER_ID,
        fromName: BOT_USERNAME,
        body: text,
        clientId: `ai:${prompt.id}`,
        ...(outcome === "incomplete" ? { incomplete: true } : {}),
      });
      this.notifier.toRoom(room, { type: "ai.end", room, streamId, status: outcome, messageId: message.id, seq: message.seq, ...(error ? { error } : {}) });
    } catch {
      this.notifier.toRoom(room, { type: "ai.end", room, streamId, status: "failed", messageId: null, seq: null, error: "could not store the answer" });
    }
  }

  /** The room's messages before the prompt, oldest first; the bot's own turns are "model". */
  private async context(room: string, beforeSeq: number): Promise<AiTurn[]> {
    if (this.s.contextMessages === 0) return [];
    const recent = await this.reader.before(room, beforeSeq, this.s.contextMessages);
    return recent.reverse().map((m) =>
      m.from === BOT_USER_ID ? { role: "model", text: m.body } : { role: "user", text: `${m.fromName}: ${m.body}` },
    );
  }
}
