/**
 * Which step the visualisation shows, and the animation that walks through them. A read of more
 * steps than the tutorial's 28 plays proportionally faster, so a whole pass takes as long.
 */
import { STEPS } from '$shared/types';

export class Playback {
  step = $state(STEPS - 1);
  /** Steps of the read shown (28 for the tutorial's, up to 784). */
  steps = $state(STEPS);
  playing = $state(false);
  /** Steps per second, for a read of 28 steps. */
  speed = $state(14);
  #raf = 0;
  #last = 0;
  #acc = 0;

  /** Show a read of `n` steps: a pass that was at its end stays at the end; otherwise the step is kept where it fits. */
  setSteps(n: number): void {
    if (n === this.steps) return;
    const atEnd = this.step >= this.steps - 1;
    this.steps = n;
    this.step = atEnd ? n - 1 : Math.min(n - 1, this.step);
  }

  /** Animate from the first step to the last; with reduced motion asked for, show the whole pass instead. */
  restart(): void {
    if (matchMedia('(prefers-reduced-motion: reduce)').matches) return this.showAll();
    this.step = 0;
    this.play();
  }

  play(): void {
    if (this.step >= this.steps - 1) this.step = 0;
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
    this.step = Math.max(0, Math.min(this.steps - 1, this.step + n));
  }

  /** Jump to a step and stop playing. */
  seek(step: number): void {
    this.pause();
    this.step = Math.max(0, Math.min(this.steps - 1, Math.round(step)));
  }

  /** Show the complete pass without animating. */
  showAll(): void {
    this.pause();
    this.step = this.steps - 1;
  }

  #tick = (now: number) => {
    if (!this.playing) return;
    this.#acc += ((now - this.#last) / 1000) * this.speed * (this.steps / STEPS);
    this.#last = now;
    if (this.#acc >= 1) {
      const n = Math.floor(this.#acc);
      this.#acc -= n;
      this.step = Math.min(this.steps - 1, this.step + n);
    }
    if (this.step >= this.steps - 1) {
      this.playing = false;
      return;
    }
    this.#raf = requestAnimationFrame(this.#tick);
  };
}

export const playback = new Playback();
