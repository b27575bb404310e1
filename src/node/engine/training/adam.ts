/**
 * Adam as tfjs applies it (bias-corrected moments, epsilon added to √v̂), for the fused
 * kernels. The update itself runs in the kernel over all weights at once
 * (kernels/assembly/adam.ts); this keeps the step's bias corrections.
 */
import type { RecurrentKernel } from '../kernels/recurrentKernel';

export class KernelAdam {
  #acc1: number;
  #acc2: number;

  constructor(
    private readonly kernel: RecurrentKernel,
    /** The step size; a schedule may change it between steps. */
    public lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-7,
  ) {
    this.#acc1 = beta1;
    this.#acc2 = beta2;
  }

  /** Update the kernel's weights from its gradients. */
  apply(): void {
    this.kernel.adam(this.lr, this.beta1, this.beta2, this.eps, 1 - this.#acc1, 1 - this.#acc2);
    this.#acc1 *= this.beta1;
    this.#acc2 *= this.beta2;
  }
}
