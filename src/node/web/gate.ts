/**
 * A counting gate with a bounded line: at most `open` holders at once, at most
 * `line` waiting; a caller past that is turned away at once, and one whose
 * signal aborts leaves the line.
 */
interface Waiter {
  admit: () => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class Gate {
  #inside = 0;
  readonly #line: Waiter[] = [];

  constructor(
    readonly open: number,
    readonly line: number,
  ) {}

  /** Holders now. */
  get inside(): number {
    return this.#inside;
  }

  /** Callers waiting now. */
  get waiting(): number {
    return this.#line.length;
  }

  /** Resolves with a release function once inside, or null when the line is full or the signal aborted. */
  enter(signal?: AbortSignal): Promise<(() => void) | null> {
    if (signal?.aborted) return Promise.resolve(null);
    if (this.#inside < this.open) return Promise.resolve(this.#admit());
    if (this.#line.length >= this.line) return Promise.resolve(null);
    return new Promise((resolve) => {
      const entry: Waiter = { admit: () => resolve(this.#admit()), signal };
      if (signal) {
        entry.onAbort = () => {
          const i = this.#line.indexOf(entry);
          if (i >= 0) this.#line.splice(i, 1);
          resolve(null);
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#line.push(entry);
    });
  }

  #admit(): () => void {
    this.#inside++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inside--;
      const next = this.#line.shift();
      if (next) {
        if (next.onAbort) next.signal!.removeEventListener('abort', next.onAbort);
        next.admit();
      }
    };
  }
}
