// Shared building blocks for the fused kernels: fast exp/tanh on f32x4 and a register-tiled SIMD GEMM.
// All pointers are byte offsets into this module's exported memory.

// a·b + c. Built with --enable relaxed-simd this is one fused multiply-add where the CPU has one
// (rounded once, so results differ from the plain build only in the last bits); otherwise multiply, then add.
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// ---------- fast, accurate exp / tanh on f32x4 ----------

// exp(x) by Cody–Waite range reduction and a degree-6 polynomial: relative error ≈ 1e-7.
@inline export function expv(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.4426950408889634)));
  let r = madd(n, f32x4.splat(-0.693145751953125), x);
  r = madd(n, f32x4.splat(-1.428606765330187e-6), r);
  let p = f32x4.splat(1.0 / 720.0);
  p = madd(p, r, f32x4.splat(1.0 / 120.0));
  p = madd(p, r, f32x4.splat(1.0 / 24.0));
  p = madd(p, r, f32x4.splat(1.0 / 6.0));
  p = madd(p, r, f32x4.splat(0.5));
  p = madd(p, r, f32x4.splat(1.0));
  p = madd(p, r, f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

// tanh(x) = 1 − 2 / (e^{2x} + 1): absolute error below 2e-7.
@inline export function tanhv(x: v128): v128 {
  const e = expv(f32x4.add(x, x));
  return f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
}

/** Element-wise tanh of n floats (n % 4 == 0), for accuracy tests against Math.tanh. */
export function tanhArray(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) v128.store(dst + (<usize>i << 2), tanhv(v128.load(src + (<usize>i << 2))));
}

// ---------- GEMM: C[M,N] += A·B with A(m,k) = A[m*rsA + k*csA], B and C row-major ----------
// N must be a multiple of 8. Register-tiled 4 rows × 8 columns. Each of the tile's four rows of A
// has its own address, moved on by one addition a step: 6–15% faster in V8 than the four
// additions of a common step offset to each row's start (the same products in the same order).

export function gemm(M: i32, N: i32, K: i32, A: usize, rsA: i32, csA: i32, B: usize, ldb: i32, C: usize, ldc: i32): void {
  const stepA = <usize>csA << 2, stepB = <usize>ldb << 2, rowA = <usize>rsA << 2;
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const a0 = A + (<usize>(m * rsA) << 2);
    const c0 = C + (<usize>(m * ldc) << 2), c1 = c0 + (<usize>ldc << 2), c2 = c1 + (<usize>ldc << 2), c3 = c2 + (<usize>ldc << 2);
    for (let n = 0; n < N; n += 8) {
      const on = <usize>n << 2;
      let s00 = v128.load(c0 + on), s01 = v128.load(c0 + on + 16);
      let s10 = v128.load(c1 + on), s11 = v128.load(c1 + on + 16);
      let s20 = v128.load(c2 + on), s21 = v128.load(c2 + on + 16);
      let s30 = v128.load(c3 + on), s31 = v128.load(c3 + on + 16);
      let bp = B + on;
      let p0 = a0, p1 = a0 + rowA, p2 = p1 + rowA, p3 = p2 + rowA;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(bp), b1 = v128.load(bp + 16);
        let v = v128.load32_splat(p0); s00 = madd(v, b0, s00); s01 = madd(v, b1, s01);
        v = v128.load32_splat(p1); s10 = madd(v, b0, s10); s11 = madd(v, b1, s11);
        v = v128.load32_splat(p2); s20 = madd(v, b0, s20); s21 = madd(v, b1, s21);
        v = v128.load32_splat(p3); s30 = madd(v, b0, s30); s31 = madd(v, b1, s31);
        bp += stepB;
        p0 += stepA; p1 += stepA; p2 += stepA; p3 += stepA;
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
      let bp = B + on, p = a0;
      for (let k = 0; k < K; k++) {
        const v = v128.load32_splat(p);
        s0 = madd(v, v128.load(bp), s0);
        s1 = madd(v, v128.load(bp + 16), s1);
        bp += stepB;
        p += stepA;
      }
      v128.store(c0 + on, s0);
      v128.store(c0 + on + 16, s1);
    }
  }
}

// ---------- GEMM with a mostly-zero A: C[M,N] += A·B, same arguments as gemm ----------
// Handwriting is mostly blank: about four in five pixels of an MNIST row are exactly 0. This walks
// only A's non-zeros, so the input projection and its gradient cost in proportion to the ink.
// Zeros of A add nothing in gemm either (0·b + c = c for finite b), and the non-zeros are taken in
// the same order, so the result is the same as gemm's.

const NZ_CAP = 256;
const nzRow = memory.data(NZ_CAP * 4, 16); // byte offset of B's row k, per non-zero
const nzVal = memory.data(NZ_CAP * 4, 16); // A[m,k], per non-zero

export function gemmSparseA(M: i32, N: i32, K: i32, A: usize, rsA: i32, csA: i32, B: usize, ldb: i32, C: usize, ldc: i32): void {
  // Where A is mostly ink after all, the register-tiled gemm is faster.
  if (nonZeros(M, K, A, rsA, csA) * 4 > M * K * 3) {
    gemm(M, N, K, A, rsA, csA, B, ldb, C, ldc);
    return;
  }
  for (let m = 0; m < M; m++) {
    const am = A + (<usize>(m * rsA) << 2), cm = C + (<usize>(m * ldc) << 2);
    for (let k0 = 0; k0 < K; k0 += NZ_CAP) {
      const k1 = min(K, k0 + NZ_CAP);
      let nz = 0;
      for (let k = k0; k < k1; k++) {
        const a = load<f32>(am + (<usize>(k * csA) << 2));
        if (a != 0) {
          store<u32>(nzRow + (<usize>nz << 2), <u32>(k * ldb) << 2);
          store<f32>(nzVal + (<usize>nz << 2), a);
          nz++;
        }
      }
      if (nz == 0) continue;
      const listEnd = <usize>nz << 2;
      let n = 0;
      for (; n + 32 <= N; n += 32) {
        const cp = cm + (<usize>n << 2), bn = B + (<usize>n << 2);
        let s0 = v128.load(cp), s1 = v128.load(cp + 16), s2 = v128.load(cp + 32), s3 = v128.load(cp + 48);
        let s4 = v128.load(cp + 64), s5 = v128.load(cp + 80), s6 = v128.load(cp + 96), s7 = v128.load(cp + 112);
        for (let j: usize = 0; j < listEnd; j += 4) {
          const v = v128.load32_splat(nzVal + j), bp = bn + <usize>load<u32>(nzRow + j);
          s0 = madd(v, v128.load(bp), s0); s1 = madd(v, v128.load(bp + 16), s1);
          s2 = madd(v, v128.load(bp + 32), s2); s3 = madd(v, v128.load(bp + 48), s3);
          s4 = madd(v, v128.load(bp + 64), s4); s5 = madd(v, v128.load(bp + 80), s5);
          s6 = madd(v, v128.load(bp + 96), s6); s7 = madd(v, v128.load(bp + 112), s7);
        }
        v128.store(cp, s0); v128.store(cp + 16, s1); v128.store(cp + 32, s2); v128.store(cp + 48, s3);
        v128.store(cp + 64, s4); v128.store(cp + 80, s5); v128.store(cp + 96, s6); v128.store(cp + 112, s7);
      }
      for (; n < N; n += 8) {
        const cp = cm + (<usize>n << 2), bn = B + (<usize>n << 2);
        let s0 = v128.load(cp), s1 = v128.load(cp + 16);
        for (let j: usize = 0; j < listEnd; j += 4) {
          const v = v128.load32_splat(nzVal + j), bp = bn + <usize>load<u32>(nzRow + j);
          s0 = madd(v, v128.load(bp), s0); s1 = madd(v, v128.load(bp + 16), s1);
        }
        v128.store(cp, s0); v128.store(cp + 16, s1);
      }
    }
  }
}

// ---------- the input's two products, for X batch-major [B][T][I] as the images arrive ----------

/** Z[t][b] += X[b][t] · W for every step, Z time-major [T][B][N] (the input projection, bias already in Z). */
export function inputProjection(X: usize, W: usize, Z: usize, B: i32, T: i32, I: i32, N: i32): void {
  for (let t = 0; t < T; t++) gemmSparseA(B, N, I, X + (<usize>(t * I) << 2), T * I, 1, W, N, Z + (<usize>(t * B * N) << 2), N);
}

/** dW += x_tᵀ dz_t for step t (dz_t is B × N). */
@inline export function inputWeightGrad(X: usize, t: i32, dz: usize, dW: usize, B: i32, T: i32, I: i32, N: i32): void {
  gemmSparseA(I, N, B, X + (<usize>(t * I) << 2), 1, T * I, dz, N, dW, N);
}

function nonZeros(M: i32, K: i32, A: usize, rsA: i32, csA: i32): i32 {
  let nz = 0;
  for (let m = 0; m < M; m++) {
    const am = A + (<usize>(m * rsA) << 2);
    for (let k = 0; k < K; k++) nz += i32(load<f32>(am + (<usize>(k * csA) << 2)) != 0);
  }
  return nz;
}

/**
 * norms[t][b] = ‖dH[b]‖ for the B rows of dH (B × H): the gradient through time at step t.
 * Summed in double precision: a vanished gradient's parts (1e-25 and less) square below float32's range.
 */
export function recordNorms(dH: usize, norms: usize, t: i32, B: i32, H: i32): void {
  for (let b = 0; b < B; b++) {
    const row = dH + (<usize>(b * H) << 2);
    let s: f64 = 0;
    for (let j = 0; j < H; j++) {
      const v = <f64>load<f32>(row + (<usize>j << 2));
      s += v * v;
    }
    store<f32>(norms + (<usize>(t * B + b) << 2), <f32>Math.sqrt(s));
  }
}

/** dst[c][r] = src[r][c] for a rows × cols matrix. */
export function transpose(src: usize, dst: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) store<f32>(dst + (<usize>(c * rows + r) << 2), load<f32>(src + (<usize>(r * cols + c) << 2)));
  }
}

/** Fill n floats with a row of length len repeated (bias broadcast). */
export function broadcastRows(dst: usize, row: usize, rows: i32, len: i32): void {
  for (let r = 0; r < rows; r++) memory.copy(dst + (<usize>(r * len) << 2), row, <usize>len << 2);
}

/** dst[c][r] = src[r*ld + c] for a rows × cols block of a matrix with row length ld. */
export function transposeStrided(src: usize, ld: i32, rows: i32, cols: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) store<f32>(dst + (<usize>(c * rows + r) << 2), load<f32>(src + (<usize>(r * ld + c) << 2)));
  }
}

/** acc[j] += Σ_r M[r][j] for a rows × cols matrix (cols % 4 == 0). */
export function addColumnSums(acc: usize, M: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = M + (<usize>(r * cols) << 2);
    for (let j = 0; j < cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(acc + o, f32x4.add(v128.load(acc + o), v128.load(row + o)));
    }
  }
}
