import WebSocket from 'ws';

/** Messages buffered before the socket is paused, so a slow Kafka commit applies backpressure instead of filling memory. */
const HIGH_WATER = 10_000;

export interface Batch {
  messages: string[];
  /** Set once the connection has ended (closed or failed) and the buffer is drained. */
  ended?: Error;
}

/**
 * A WebSocket's text messages, taken in batches. Node 20 has no stable global WebSocket (it is behind
 * --experimental-websocket), hence the `ws` package.
 */
export class SocketFeed {
  private readonly buffer: string[] = [];
  private ended: Error | undefined;
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      // With ws' default binaryType ('nodebuffer') every message, however fragmented on the wire, is one Buffer.
      this.buffer.push((data as Buffer).toString('utf8'));
      if (this.buffer.length >= HIGH_WATER) socket.pause();
      this.wake?.();
    });
    socket.on('error', (error) => this.end(error));
    socket.on('close', (code, reason) => this.end(new Error(`connection closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`)));
  }

  static open(url: URL, signal: AbortSignal, handshakeTimeoutMs: number): SocketFeed {
    const feed = new SocketFeed(new WebSocket(url, { handshakeTimeout: handshakeTimeoutMs }));
    const onAbort = () => feed.close();
    signal.addEventListener('abort', onAbort, { once: true });
    feed.socket.once('close', () => signal.removeEventListener('abort', onAbort));
    return feed;
  }

  /** Up to `max` messages: as soon as `max` are there, else whatever arrived within `waitMs` (possibly none). */
  async take(max: number, waitMs: number): Promise<Batch> {
    if (this.buffer.length < max && !this.ended) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        const check = () => {
          if (this.buffer.length >= max || this.ended) done();
        };
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = check;
      });
      this.wake = undefined;
    }
    const messages = this.buffer.splice(0, max);
    if (this.buffer.length < HIGH_WATER / 2 && this.socket.isPaused) this.socket.resume();
    return { messages, ended: this.buffer.length === 0 ? this.ended : undefined };
  }

  close(): void {
    this.end(new Error('connection closed by the collector'));
    this.socket.terminate();
  }

  private end(error: Error): void {
    this.ended ??= error;
    this.wake?.();
  }
}
