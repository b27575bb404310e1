/**
 * "Latest reply wins" for one kind of request. One request is in flight at a time; inputs that
 * arrive meanwhile replace each other, so only the newest waits. A reply is shown unless
 * `cancel()` came after it was sent or, with `superseded: 'drop'`, a newer input is waiting.
 */
export interface LatestOptions<I, R> {
  send: (input: I) => Promise<R>;
  show: (reply: R, input: I) => void;
  fail?: (err: unknown, input: I) => void;
  /**
   * What to do with a reply while a newer input waits: 'show' it (live feedback, e.g. while
   * drawing) or 'drop' it (the reply would not match what is on screen). Default 'drop'.
   */
  superseded?: 'show' | 'drop';
}

export class Latest<I, R> {
  #busy = false;
  #next: { input: I } | null = null;
  /** Bumped by cancel(): replies to requests sent before it are dropped. */
  #epoch = 0;

  constructor(private readonly opts: LatestOptions<I, R>) {}

  /** Whether a request is in flight. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Ask for `input`: now if nothing is in flight, else after the request in flight, replacing any input already waiting. */
  push(input: I): void {
    if (this.#busy) this.#next = { input };
    else void this.#send(input);
  }

  /** Forget the waiting input and drop the reply to the request in flight. */
  cancel(): void {
    this.#epoch++;
    this.#next = null;
  }

  async #send(input: I): Promise<void> {
    this.#busy = true;
    const epoch = this.#epoch;
    const current = () => epoch === this.#epoch && (this.#next === null || this.opts.superseded === 'show');
    try {
      const reply = await this.opts.send(input);
      if (current()) this.opts.show(reply, input);
    } catch (err) {
      if (epoch === this.#epoch && this.#next === null) this.opts.fail?.(err, input);
    } finally {
      this.#busy = false;
      const next = this.#next;
      this.#next = null;
      if (next) void this.#send(next.input);
    }
  }
}
