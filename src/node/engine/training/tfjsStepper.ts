/** Gradient steps through tfjs-layers with tfjs's Adam, on whichever tfjs backend is active. */
import * as tf from '@tensorflow/tfjs';
import { readShape } from '../../../shared/reads';
import { CLASSES, PIXELS } from '../../../shared/types';
import { describeModel } from '../model/model';
import type { TrainSplit } from '../data/dataset';
import { accuracy } from '../inference/evaluate';
import { weightsOf, type Weights } from '../model/weights';
import type { Stepper } from './stepper';

/** tfjs's Adam with a learning rate a schedule can move (applyGradients reads it on every step). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }
}

export class TfjsStepper implements Stepper {
  readonly path = 'tfjs';
  readonly #optimizer: ScheduledAdam;
  readonly #vars: tf.Variable[];
  readonly #shape: { steps: number; inputs: number };

  constructor(
    private readonly model: tf.LayersModel,
    learningRate: number,
  ) {
    this.#optimizer = new ScheduledAdam(learningRate, 0.9, 0.999);
    this.#vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.#shape = readShape(describeModel(model).read);
  }

  step(images: Float32Array, labelBuf: Int32Array, size: number): { loss: number; correct: number } {
    return tf.tidy(() => {
      const xs = tf.tensor3d(images.subarray(0, size * PIXELS), [size, this.#shape.steps, this.#shape.inputs]);
      const labels = tf.tensor1d(labelBuf.subarray(0, size), 'int32');
      const ys = tf.oneHot(labels, CLASSES);
      const kept: { correct?: tf.Tensor } = {};
      const { value, grads } = tf.variableGrads(() => {
        const probs = this.model.apply(xs, { training: true }) as tf.Tensor2D;
        kept.correct = tf.keep(probs.argMax(-1).equal(labels).sum());
        return tf.metrics.categoricalCrossentropy(ys, probs).mean() as tf.Scalar;
      }, this.#vars);
      this.#optimizer.applyGradients(grads as Parameters<ScheduledAdam['applyGradients']>[0]);
      const out = { loss: value.dataSync()[0], correct: kept.correct!.dataSync()[0] };
      kept.correct!.dispose();
      return out;
    });
  }

  setLearningRate(lr: number): void {
    this.#optimizer.setLearningRate(lr);
  }

  evaluate(split: TrainSplit, limit: number): number {
    return accuracy(this.model, split, limit);
  }

  weights(): Weights {
    return weightsOf(this.model);
  }

  finish(): void {
    this.#optimizer.dispose();
  }

  discard(): void {
    this.#optimizer.dispose();
  }
}
