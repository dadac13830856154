import type { AiTurn } from "../../ports/ai-model.ts";
import type { AiJob, AiOutcome, AiRequestQueue, AiRunner, MessageReader, RateLimiter } from "../../ports/index.ts";
import type { Principal } from "../auth/auth-service.ts";
import type { ChatService } from "../chat-service.ts";
import { fail } from "../errors.ts";
import { newId } from "../ids.ts";
import { BOT_USER_ID, BOT_USERNAME, type ChatMessage } from "../model.ts";
import type { Notifier } from "../notifier.ts";
import { NO_ACTIVITY, type ActivityRecorder } from "../activity.ts";

export interface AiSettings {
  contextMessages: number;
  systemPrompt: string;
  promptMax: number;
  ratePerMin: number;
}

const AI_PREFIX = /^\/ai(?:\s|$)/;
export const isAiPrompt = (body: string) => AI_PREFIX.test(body);
const promptOf = (body: string) => body.replace(AI_PREFIX, "").trim();

export const NOT_CONFIGURED =
  "AI replies are not enabled on this server. An administrator can enable them by setting GEMINI_API_KEY (and optionally GEMINI_MODEL), or OPENAI_BASE_URL for a self-hosted OpenAI-compatible model, and restarting.";

/**
 * Answers `/ai <prompt>` in the room it was asked in: streams the bot's answer to every member
 * (ai.start, ai.delta…, ai.end), then stores it as one ordinary message. Requests travel through an
 * AiRequestQueue, so any instance may serve them. The stored answer's clientId is derived from the
 * prompt's id, so a request is stored at most once even if it were served twice.
 */
export class AiResponder {
  constructor(
    private chat: ChatService,
    private reader: MessageReader,
    private notifier: Notifier,
    private limiter: RateLimiter,
    private queue: AiRequestQueue,
    private runner: AiRunner | null,
    private s: AiSettings,
    private activity: ActivityRecorder = NO_ACTIVITY,
  ) {}

  /**
   * Checked before a `/ai` message is stored, so a refused prompt leaves nothing behind. Nothing to
   * wait for (undefined) when the message is not a prompt: the send path does not await then.
   */
  admit(me: Principal, body: string): Promise<void> | undefined {
    return isAiPrompt(body) ? this.admitPrompt(me, body) : undefined;
  }

  private async admitPrompt(me: Principal, body: string): Promise<void> {
    const prompt = promptOf(body);
    if (!prompt) fail("bad_request", "usage: /ai <question>");
    if (prompt.length > this.s.promptMax) fail("bad_request", `AI prompts are limited to ${this.s.promptMax} characters`);
    const allowed = await this.limiter.take(`ai:${me.userId}`, { capacity: this.s.ratePerMin, refillPerSec: this.s.ratePerMin / 60 });
    if (!allowed) fail("rate_limited", "too many AI requests, try again in a minute");
  }

  /** Listener for ChatService.onMessage: queues the request; never awaits the model. */
  readonly onMessage = (m: ChatMessage): void => {
    if (m.from === BOT_USER_ID || !isAiPrompt(m.body)) return;
    this.activity.record("ai.asked", m.from, m.room, { messageId: m.id });
    // The queue never rejects (it serves locally instead); the catch only keeps a bug from crashing the process.
    this.queue.enqueue({ id: m.id, room: m.room, seq: m.seq, prompt: promptOf(m.body), requestedAt: m.createdAt }).catch(() => {});
  };

  /** Answers one queued request (the queue's handler); resolves once the answer has ended. */
  readonly serve = async (job: AiJob): Promise<void> => {
    const streamId = newId();
    const { room } = job;
    this.notifier.toRoom(room, { type: "ai.start", room, streamId, botId: BOT_USER_ID, botName: BOT_USERNAME, replyTo: job.id });
    let text = "";
    let outcome: AiOutcome = "complete";
    let error: string | undefined;
    if (!this.runner) {
      text = NOT_CONFIGURED;
    } else {
      let index = 0;
      const result = await this.context(room, job.seq).then(
        (context) =>
          this.runner!.run({ system: this.s.systemPrompt, context, prompt: job.prompt }, (delta) => {
            text += delta;
            this.notifier.toRoom(room, { type: "ai.delta", room, streamId, index: index++, text: delta });
          }),
        (): { outcome: AiOutcome; error?: string } => ({ outcome: "failed", error: "could not read the conversation" }),
      );
      ({ outcome, error } = result);
      if (outcome === "complete" && text.trim() === "") {
        outcome = "failed";
        error = "the model returned an empty answer";
      }
      if (outcome === "failed") text = `The AI could not answer right now (${error ?? "unknown error"}). Please try again later.`;
    }
    try {
      const { message } = await this.chat.post({
        room,
        from: BOT_USER_ID,
        fromName: BOT_USERNAME,
        body: text,
        clientId: `ai:${job.id}`,
        ...(outcome === "incomplete" ? { incomplete: true } : {}),
      });
      this.notifier.toRoom(room, { type: "ai.end", room, streamId, status: outcome, messageId: message.id, seq: message.seq, ...(error ? { error } : {}) });
      this.recordAnswer(job, outcome === "failed" ? "ai.failed" : "ai.answered");
    } catch {
      this.recordAnswer(job, "ai.failed");
      this.notifier.toRoom(room, { type: "ai.end", room, streamId, status: "failed", messageId: null, seq: null, error: "could not store the answer" });
    }
  };

  private recordAnswer(job: AiJob, type: "ai.answered" | "ai.failed") {
    this.activity.record(type, BOT_USER_ID, job.room, { messageId: job.id, latencyMs: Math.max(0, Date.now() - job.requestedAt) });
  }

  /** The room's messages before the prompt, oldest first; the bot's own turns are "model". */
  private async context(room: string, beforeSeq: number): Promise<AiTurn[]> {
    if (this.s.contextMessages === 0) return [];
    const recent = await this.reader.before(room, beforeSeq, this.s.contextMessages);
    // A deleted message has nothing left to tell the model.
    return recent.filter((m) => !m.deleted).reverse().map((m) =>
      m.from === BOT_USER_ID ? { role: "model", text: m.body } : { role: "user", text: `${m.fromName}: ${m.body}` },
    );
  }
}
