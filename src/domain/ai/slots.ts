/** A counting semaphore: at most `size` holders, the rest wait in arrival order. */
export class Slots {
  private used = 0;
  private waiting: (() => void)[] = [];

  constructor(private size: number) {}

  get busy(): number {
    return this.used;
  }

  async acquire(): Promise<void> {
    if (this.used < this.size) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot straight to the next waiter, if any. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used--;
  }

  /** Runs `task` in a slot without awaiting it; resolves once the slot was taken. */
  async start(task: () => Promise<unknown>): Promise<void> {
    await this.acquire();
    void task()
      .catch(() => {})
      .finally(() => this.release());
  }
}

/** Waits for the promises to settle, or `ms`, whichever comes first. */
export async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.allSettled(promises), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
