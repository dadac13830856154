/**
 * Passes an upload through unchanged while counting its bytes and keeping its first `headMax` for
 * type detection. Past `limit` bytes it errors the stream with `overflow()`, which makes the
 * store drop what it had written: the file is never buffered whole and never kept when too big.
 */
export class CountingStream {
  bytes = 0;
  private headChunks: Uint8Array[] = [];
  private headLength = 0;
  readonly stream: TransformStream<Uint8Array, Uint8Array>;

  constructor(limit: number, headMax: number, overflow: () => Error) {
    this.stream = new TransformStream({
      transform: (chunk, controller) => {
        this.bytes += chunk.byteLength;
        if (this.bytes > limit) {
          controller.error(overflow());
          return;
        }
        if (this.headLength < headMax) {
          const part = chunk.subarray(0, headMax - this.headLength);
          this.headChunks.push(part.slice());
          this.headLength += part.byteLength;
        }
        controller.enqueue(chunk);
      },
    });
  }

  /** The first bytes seen (up to headMax). */
  head(): Uint8Array {
    const out = new Uint8Array(this.headLength);
    let at = 0;
    for (const c of this.headChunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}
