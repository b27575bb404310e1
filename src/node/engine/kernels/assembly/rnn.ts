// Fused SimpleRNN kernels for training, in AssemblyScript with 128-bit SIMD.
import { gemm, inputProjection, inputWeightGrad, tanhv, transpose, broadcastRows, addColumnSums, recordNorms } from './common';
// Layouts (row-major, f32): X [B][T][I] (the images as they come), W [I][H], U [H][H], b [H], Hs [T][B][H].
// Semantics follow tfjs-layers SimpleRNN: h_t = tanh(x_t W + h_{t-1} U + b), h_{-1} = 0.
// All pointers are byte offsets into this module's exported memory.

// ---------- SimpleRNN ----------

/** Forward over all steps: Hs[t] = tanh(X[t]W + Hs[t-1]U + b). */
export function rnnForward(X: usize, W: usize, U: usize, b: usize, Hs: usize, B: i32, T: i32, I: i32, H: i32): void {
  const TB = T * B;
  // Input projection for every step at once, bias included.
  broadcastRows(Hs, b, TB, H);
  inputProjection(X, W, Hs, B, T, I, H);
  const stepBytes = <usize>(B * H) << 2;
  for (let t = 0; t < T; t++) {
    const cur = Hs + <usize>t * stepBytes;
    if (t > 0) gemm(B, H, H, cur - stepBytes, H, 1, U, H, cur, H);
    const n = B * H;
    for (let i = 0; i < n; i += 4) {
      const p = cur + (<usize>i << 2);
      v128.store(p, tanhv(v128.load(p)));
    }
  }
}

/**
 * Backpropagation through time. dH holds dL/dh_{T-1} on entry (B×H) and is
 * overwritten. dA is scratch of T×B×H; UT scratch of H×H. Gradients are added
 * into dW, dU, db; dX (T×B×I) is written when non-zero, and norms (T×B) gets ‖dL/dh_t‖.
 */
export function rnnBackward(X: usize, W: usize, U: usize, Hs: usize, dH: usize, dA: usize, UT: usize, dW: usize, dU: usize, db: usize, dX: usize, norms: usize, B: i32, T: i32, I: i32, H: i32): void {
  transpose(U, UT, H, H);
  const stepBytes = <usize>(B * H) << 2;
  const n = B * H;
  for (let t = T - 1; t >= 0; t--) {
    const h = Hs + <usize>t * stepBytes;
    const da = dA + <usize>t * stepBytes;
    if (norms != 0) recordNorms(dH, norms, t, B, H);
    // dA_t = dH ⊙ (1 − h_t²)
    for (let i = 0; i < n; i += 4) {
      const o = <usize>i << 2;
      const hv = v128.load(h + o);
      v128.store(da + o, f32x4.mul(v128.load(dH + o), f32x4.sub(f32x4.splat(1.0), f32x4.mul(hv, hv))));
    }
    inputWeightGrad(X, t, da, dW, B, T, I, H);
    if (t > 0) {
      // dU += h_{t-1}ᵀ dA_t ; dH = dA_t Uᵀ
      gemm(H, H, B, h - stepBytes, 1, H, da, H, dU, H);
      memory.fill(dH, 0, stepBytes);
      gemm(B, H, H, da, H, 1, UT, H, dH, H);
    }
  }
  // db += Σ dA over all steps at once.
  const TB = T * B;
  addColumnSums(db, dA, TB, H);
  if (dX != 0) {
    // dX = dA Wᵀ: I is not a multiple of 8 in general, so this one is scalar.
    for (let r = 0; r < TB; r++) {
      for (let i = 0; i < I; i++) {
        let s: f32 = 0;
        for (let j = 0; j < H; j++) s += load<f32>(dA + (<usize>(r * H + j) << 2)) * load<f32>(W + (<usize>(i * H + j) << 2));
        store<f32>(dX + (<usize>(r * I + i) << 2), s);
      }
    }
  }
}

// ---------- dense softmax head with cross-entropy ----------

/**
 * probs = softmax(h Wd + bd); returns the summed loss −Σ log p_y (clipped at 1e-7)
 * and writes the number correct to `correct`. Gradients of the mean loss are
 * added into dWd, dbd, and written to dH (B×H).
 */
export function headForwardBackward(h: usize, Wd: usize, bd: usize, labels: usize, probs: usize, dWd: usize, dbd: usize, dH: usize, correct: usize, B: i32, H: i32, C: i32): f64 {
  let loss: f64 = 0;
  let right = 0;
  const invB: f32 = 1.0 / <f32>B;
  for (let r = 0; r < B; r++) {
    const hr = h + (<usize>(r * H) << 2);
    const pr = probs + (<usize>(r * C) << 2);
    let max: f32 = -Infinity;
    for (let k = 0; k < C; k++) {
      let s = load<f32>(bd + (<usize>k << 2));
      for (let j = 0; j < H; j++) s += load<f32>(hr + (<usize>j << 2)) * load<f32>(Wd + (<usize>(j * C + k) << 2));
      store<f32>(pr + (<usize>k << 2), s);
      if (s > max) max = s;
    }
    let sum: f32 = 0;
    let best = 0;
    for (let k = 0; k < C; k++) {
      const e = Mathf.exp(load<f32>(pr + (<usize>k << 2)) - max);
      store<f32>(pr + (<usize>k << 2), e);
      sum += e;
    }
    const y = <i32>load<u8>(labels + <usize>r);
    for (let k = 0; k < C; k++) {
      const p = load<f32>(pr + (<usize>k << 2)) / sum;
      store<f32>(pr + (<usize>k << 2), p);
      if (p > load<f32>(pr + (<usize>best << 2))) best = k;
    }
    if (best == y) right++;
    const py = load<f32>(pr + (<usize>y << 2));
    loss -= Math.log(<f64>(py < 1e-7 ? 1e-7 : py));
    // dlogits = (p − onehot) / B
    for (let k = 0; k < C; k++) {
      const g = (load<f32>(pr + (<usize>k << 2)) - (k == y ? <f32>1 : <f32>0)) * invB;
      store<f32>(dbd + (<usize>k << 2), load<f32>(dbd + (<usize>k << 2)) + g);
      for (let j = 0; j < H; j++) {
        const o = <usize>(j * C + k) << 2;
        store<f32>(dWd + o, load<f32>(dWd + o) + load<f32>(hr + (<usize>j << 2)) * g);
      }
    }
    const dh = dH + (<usize>(r * H) << 2);
    for (let j = 0; j < H; j++) {
      let s: f32 = 0;
      for (let k = 0; k < C; k++) s += (load<f32>(pr + (<usize>k << 2)) - (k == y ? <f32>1 : <f32>0)) * invB * load<f32>(Wd + (<usize>(j * C + k) << 2));
      store<f32>(dh + (<usize>j << 2), s);
    }
  }
  store<i32>(correct, right);
  return loss;
}
