/** One polite live region for screen readers: the newest prediction and the end of a training run. */
class Announcer {
  text = $state('');
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Say `text` once things settle (a burst of calls announces only the last). */
  say(text: string, delayMs = 600): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.text = text), delayMs);
  }
}

export const announcer = new Announcer();
