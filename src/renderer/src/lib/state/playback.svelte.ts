/** Which of the 28 steps the visualisation shows, and the animation that walks through them. */
import { STEPS } from '$shared/types';

export class Playback {
  step = $state(STEPS - 1);
  playing = $state(false);
  /** Steps per second. */
  speed = $state(14);
  #raf = 0;
  #last = 0;
  #acc = 0;

  /** Animate from the first row to the last; with reduced motion asked for, show the whole pass instead. */
  restart(): void {
    if (matchMedia('(prefers-reduced-motion: reduce)').matches) return this.showAll();
    this.step = 0;
    this.play();
  }

  play(): void {
    if (this.step >= STEPS - 1) this.step = 0;
    this.playing = true;
    this.#last = performance.now();
    this.#acc = 0;
    cancelAnimationFrame(this.#raf);
    this.#raf = requestAnimationFrame(this.#tick);
  }

  pause(): void {
    this.playing = false;
    cancelAnimationFrame(this.#raf);
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Move by n steps and stop playing. */
  stepBy(n: number): void {
    this.pause();
    this.step = Math.max(0, Math.min(STEPS - 1, this.step + n));
  }

  /** Jump to a step and stop playing. */
  seek(step: number): void {
    this.pause();
    this.step = Math.max(0, Math.min(STEPS - 1, Math.round(step)));
  }

  /** Show the complete pass without animating. */
  showAll(): void {
    this.pause();
    this.step = STEPS - 1;
  }

  #tick = (now: number) => {
    if (!this.playing) return;
    this.#acc += ((now - this.#last) / 1000) * this.speed;
    this.#last = now;
    if (this.#acc >= 1) {
      const n = Math.floor(this.#acc);
      this.#acc -= n;
      this.step = Math.min(STEPS - 1, this.step + n);
    }
    if (this.step >= STEPS - 1) {
      this.playing = false;
      return;
    }
    this.#raf = requestAnimationFrame(this.#tick);
  };
}

export const playback = new Playback();
