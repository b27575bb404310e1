/**
 * The numbers of the loop: at each step, how hard the new row pushes the state (the input term
 * xₜ·W, without the bias) and how hard the state's own memory does (the recurrent term hₜ₋₁·U),
 * for the block that makes the candidate state; and for a gated cell, the gate that decides how
 * much of the old state is kept.
 */
import type { CellTerms } from '$shared/contract';
import type { CellType, TraceResult } from '$shared/types';

/** The gate block that makes the new candidate state: SimpleRNN's only block, GRU's h, LSTM's c (tfjs order). */
export function candidateBlock(cell: CellType): number {
  return cell === 'rnn' ? 0 : 2;
}

/** Per step: ‖xₜW‖ and ‖hₜ₋₁U‖ of the candidate block, and the mean of the keeping gate (GRU z, LSTM f; none for SimpleRNN). */
export function termNorms(terms: CellTerms, trace: TraceResult | null): { input: Float64Array; recurrent: Float64Array; keep: Float64Array | null } {
  const { hidden: H, blocks, cell } = terms;
  const steps = terms.input.length / (blocks * H);
  const block = candidateBlock(cell);
  const input = new Float64Array(steps),
    recurrent = new Float64Array(steps);
  for (let t = 0; t < steps; t++) {
    let a = 0,
      b = 0;
    const o = (t * blocks + block) * H;
    for (let j = 0; j < H; j++) {
      a += (terms.input[o + j] - terms.bias[block * H + j]) ** 2;
      b += terms.recurrent[o + j] ** 2;
    }
    input[t] = Math.sqrt(a);
    recurrent[t] = Math.sqrt(b);
  }
  const gate = trace?.gates?.[cell === 'gru' ? 'z' : 'f'];
  let keep: Float64Array | null = null;
  if (cell !== 'rnn' && gate) {
    keep = new Float64Array(steps);
    for (let t = 0; t < steps; t++) {
      let s = 0;
      for (let j = 0; j < H; j++) s += gate[t * H + j];
      keep[t] = s / H;
    }
  }
  return { input, recurrent, keep };
}

/** Which term moved the state more at a step: 'memory' alone on a blank row, else the larger push. */
export function driver(input: number, recurrent: number, blankRow: boolean): 'memory-only' | 'row' | 'memory' {
  if (blankRow) return 'memory-only';
  return input >= recurrent ? 'row' : 'memory';
}
