// Fused SimpleRNN kernels for training, in AssemblyScript with 128-bit SIMD.
// Layouts (row-major, f32): X [T][B][I], W [I][H], U [H][H], b [H], Hs [T][B][H].
// Semantics follow tfjs-layers SimpleRNN: h_t = tanh(x_t W + h_{t-1} U + b), h_{-1} = 0.
// All pointers are byte offsets into this module's exported memory.

// ---------- fast, accurate exp / tanh on f32x4 ----------

// exp(x) by Cody–Waite range reduction and a degree-6 polynomial: relative error ≈ 1e-7.
@inline function expv(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.4426950408889634)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693145751953125)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(1.428606765330187e-6)));
  let p = f32x4.splat(1.0 / 720.0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

// tanh(x) = 1 − 2 / (e^{2x} + 1): absolute error below 2e-7.
@inline function tanhv(x: v128): v128 {
  const e = expv(f32x4.add(x, x));
  return f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
}

/** Element-wise tanh of n floats (n % 4 == 0), for accuracy tests against Math.tanh. */
export function tanhArray(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) v128.store(dst + (<usize>i << 2), tanhv(v128.load(src + (<usize>i << 2))));
}

// ---------- GEMM: C[M,N] += A·B with A(m,k) = A[m*rsA + k*csA], B and C row-major ----------
// N must be a multiple of 8. Register-tiled 4 rows × 8 columns.

export function gemm(M: i32, N: i32, K: i32, A: usize, rsA: i32, csA: i32, B: usize, ldb: i32, C: usize, ldc: i32): void {
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const a0 = A + (<usize>(m * rsA) << 2), a1 = a0 + (<usize>rsA << 2), a2 = a1 + (<usize>rsA << 2), a3 = a2 + (<usize>rsA << 2);
    const c0 = C + (<usize>(m * ldc) << 2), c1 = c0 + (<usize>ldc << 2), c2 = c1 + (<usize>ldc << 2), c3 = c2 + (<usize>ldc << 2);
    for (let n = 0; n < N; n += 8) {
      const on = <usize>n << 2;
      let s00 = v128.load(c0 + on), s01 = v128.load(c0 + on + 16);
      let s10 = v128.load(c1 + on), s11 = v128.load(c1 + on + 16);
      let s20 = v128.load(c2 + on), s21 = v128.load(c2 + on + 16);
      let s30 = v128.load(c3 + on), s31 = v128.load(c3 + on + 16);
      let bp = B + on;
      let ak: usize = 0;
      const stepA = <usize>csA << 2, stepB = <usize>ldb << 2;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(bp), b1 = v128.load(bp + 16);
        let v = f32x4.splat(load<f32>(a0 + ak));
        s00 = f32x4.add(s00, f32x4.mul(v, b0)); s01 = f32x4.add(s01, f32x4.mul(v, b1));
        v = f32x4.splat(load<f32>(a1 + ak));
        s10 = f32x4.add(s10, f32x4.mul(v, b0)); s11 = f32x4.add(s11, f32x4.mul(v, b1));
        v = f32x4.splat(load<f32>(a2 + ak));
        s20 = f32x4.add(s20, f32x4.mul(v, b0)); s21 = f32x4.add(s21, f32x4.mul(v, b1));
        v = f32x4.splat(load<f32>(a3 + ak));
        s30 = f32x4.add(s30, f32x4.mul(v, b0)); s31 = f32x4.add(s31, f32x4.mul(v, b1));
        bp += stepB;
        ak += stepA;
      }
      v128.store(c0 + on, s00); v128.store(c0 + on + 16, s01);
      v128.store(c1 + on, s10); v128.store(c1 + on + 16, s11);
      v128.store(c2 + on, s20); v128.store(c2 + on + 16, s21);
      v128.store(c3 + on, s30); v128.store(c3 + on + 16, s31);
    }
  }
  for (; m < M; m++) {
    const a0 = A + (<usize>(m * rsA) << 2);
    const c0 = C + (<usize>(m * ldc) << 2);
    for (let n = 0; n < N; n += 8) {
      const on = <usize>n << 2;
      let s0 = v128.load(c0 + on), s1 = v128.load(c0 + on + 16);
      for (let k = 0; k < K; k++) {
        const bp = B + (<usize>(k * ldb) << 2) + on;
        const v = f32x4.splat(load<f32>(a0 + (<usize>(k * csA) << 2)));
        s0 = f32x4.add(s0, f32x4.mul(v, v128.load(bp)));
        s1 = f32x4.add(s1, f32x4.mul(v, v128.load(bp + 16)));
      }
      v128.store(c0 + on, s0);
      v128.store(c0 + on + 16, s1);
    }
  }
}

/** dst[c][r] = src[r][c] for a rows × cols matrix. */
export function transpose(src: usize, dst: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) store<f32>(dst + (<usize>(c * rows + r) << 2), load<f32>(src + (<usize>(r * cols + c) << 2)));
  }
}

/** Fill n floats with a row of length len repeated (bias broadcast). */
function broadcastRows(dst: usize, row: usize, rows: i32, len: i32): void {
  for (let r = 0; r < rows; r++) memory.copy(dst + (<usize>(r * len) << 2), row, <usize>len << 2);
}

// ---------- SimpleRNN ----------

/** Forward over all steps: Hs[t] = tanh(X[t]W + Hs[t-1]U + b). */
export function rnnForward(X: usize, W: usize, U: usize, b: usize, Hs: usize, B: i32, T: i32, I: i32, H: i32): void {
  const TB = T * B;
  // Input projection for every step at once, bias included.
  broadcastRows(Hs, b, TB, H);
  gemm(TB, H, I, X, I, 1, W, H, Hs, H);
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
 * into dW, dU, db; dX (T×B×I) is written when non-zero.
 */
export function rnnBackward(X: usize, W: usize, U: usize, Hs: usize, dH: usize, dA: usize, UT: usize, dW: usize, dU: usize, db: usize, dX: usize, B: i32, T: i32, I: i32, H: i32): void {
  transpose(U, UT, H, H);
  const stepBytes = <usize>(B * H) << 2;
  const n = B * H;
  for (let t = T - 1; t >= 0; t--) {
    const h = Hs + <usize>t * stepBytes;
    const da = dA + <usize>t * stepBytes;
    // dA_t = dH ⊙ (1 − h_t²)
    for (let i = 0; i < n; i += 4) {
      const o = <usize>i << 2;
      const hv = v128.load(h + o);
      v128.store(da + o, f32x4.mul(v128.load(dH + o), f32x4.sub(f32x4.splat(1.0), f32x4.mul(hv, hv))));
    }
    if (t > 0) {
      // dU += h_{t-1}ᵀ dA_t ; dH = dA_t Uᵀ
      gemm(H, H, B, h - stepBytes, 1, H, da, H, dU, H);
      memory.fill(dH, 0, stepBytes);
      gemm(B, H, H, da, H, 1, UT, H, dH, H);
    }
  }
  // db += Σ dA ; dW += Xᵀ dA over all steps at once.
  const TB = T * B;
  for (let r = 0; r < TB; r++) {
    const row = dA + (<usize>(r * H) << 2);
    for (let j = 0; j < H; j += 4) {
      const o = <usize>j << 2;
      v128.store(db + o, f32x4.add(v128.load(db + o), v128.load(row + o)));
    }
  }
  gemm(I, H, TB, X, 1, I, dA, H, dW, H);
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

// ---------- one whole training step ----------

/**
 * Zero the gradients, run the forward pass, the head and BPTT for a batch of B.
 * Weights W,U,b,Wd,bd and gradients dW,dU,db,dWd,dbd are each laid out as in
 * the functions above. Returns the summed loss; the number correct goes to `correct`.
 */
export function rnnStep(X: usize, W: usize, U: usize, b: usize, Wd: usize, bd: usize, labels: usize, Hs: usize, probs: usize, dH: usize, dA: usize, UT: usize, dW: usize, dU: usize, db: usize, dWd: usize, dbd: usize, correct: usize, B: i32, T: i32, I: i32, H: i32, C: i32): f64 {
  memory.fill(dW, 0, <usize>(I * H) << 2);
  memory.fill(dU, 0, <usize>(H * H) << 2);
  memory.fill(db, 0, <usize>H << 2);
  memory.fill(dWd, 0, <usize>(H * C) << 2);
  memory.fill(dbd, 0, <usize>C << 2);
  rnnForward(X, W, U, b, Hs, B, T, I, H);
  const last = Hs + (<usize>((T - 1) * B * H) << 2);
  const loss = headForwardBackward(last, Wd, bd, labels, probs, dWd, dbd, dH, correct, B, H, C);
  rnnBackward(X, W, U, Hs, dH, dA, UT, dW, dU, db, 0, B, T, I, H);
  return loss;
}
