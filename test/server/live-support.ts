// Reading a Server-Sent Events stream in tests: frames are parsed as they arrive and awaited one by one.

export interface Frame {
  event: string;
  id?: string;
  data: any;
}

/** Parses SSE text incrementally: feed chunks, get complete frames (comments come out as event ":"). */
export class SseParser {
  private buf = '';
  feed(chunk: string): Frame[] {
    this.buf += chunk;
    const out: Frame[] = [];
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      const f: Frame = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) f.event = ':';
        else if (line.startsWith('event: ')) f.event = line.slice(7);
        else if (line.startsWith('id: ')) f.id = line.slice(4);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      f.data = data.length ? JSON.parse(data.join('\n')) : null;
      out.push(f);
    }
    return out;
  }
}

/** A stream being read: `next()` resolves with the next frame (heartbeats skipped unless asked for). */
export class StreamReader {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];
  ended = false;
  private pos = 0;

  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly deadlineMs = 5000,
  ) {
    this.reader = body.getReader();
    void this.pump();
  }

  /** Stops reading: the server sees the client go away. */
  cancel() {
    return this.reader.cancel();
  }

  private async pump() {
    const parser = new SseParser();
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        this.frames.push(...parser.feed(dec.decode(value, { stream: true })));
        this.wake();
      }
    } catch {
      // the stream was cut
    }
    this.ended = true;
    this.wake();
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The next frame that is not a heartbeat (or a heartbeat too, with `heartbeats`). Rejects when the stream ends first or after the deadline. */
  async next(opts: { heartbeats?: boolean } = {}): Promise<Frame> {
    const started = Date.now();
    for (;;) {
      while (this.pos < this.frames.length) {
        const f = this.frames[this.pos++];
        if (f.event !== ':' || opts.heartbeats) return f;
      }
      if (this.ended) throw new Error('stream ended');
      const left = this.deadlineMs - (Date.now() - started);
      if (left <= 0) throw new Error(`no frame within ${this.deadlineMs} ms`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, left);
        this.waiters.push(() => {
          clearTimeout(t);
          ok();
        });
      });
    }
  }

  /** Waits until the stream ends; returns the frames not read yet. */
  async end(): Promise<Frame[]> {
    while (!this.ended) await new Promise<void>((ok) => this.waiters.push(ok));
    return this.frames.slice(this.pos);
  }
}
