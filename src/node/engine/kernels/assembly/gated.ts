// Fused LSTM and GRU kernels, with the exact semantics of the tfjs-layers cells:
//   LSTM: z = xW + hU + b split [i, f, g, o]; i,f,o = σ, g = tanh; c = f⊙c + i⊙g; h = o⊙tanh(c)
//   GRU (reset before, as tfjs): [xz, xr, xh] = xW + b; z = σ(xz + hU_z); r = σ(xr + hU_r);
//        ĥ = tanh(xh + (r⊙h)U_h); h = z⊙h + (1−z)⊙ĥ
// Layouts: X [B][T][I] (the images as they come), W [I][G], U [H][G], b [G], Hs [T][B][H], Zs [T][B][G] (gate activations),
// Cs [T][B][H] (LSTM cell state, followed by [T][B][H] of its tanh; GRU r⊙h_{t-1}), with G = 4H (LSTM) or 3H (GRU).
import { gemm, inputProjection, inputWeightGrad, expv, tanhv, transposeStrided, broadcastRows, addColumnSums, recordNorms } from './common';

@inline function sigv(x: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), expv(f32x4.neg(x))));
}

@inline function ld(p: usize): v128 { return v128.load(p); }
@inline function st(p: usize, v: v128): void { v128.store(p, v); }
@inline function f4(p: usize, i: i32): usize { return p + (<usize>i << 2); }

export function lstmForward(X: usize, W: usize, U: usize, b: usize, Hs: usize, Zs: usize, Cs: usize, B: i32, T: i32, I: i32, H: i32): void {
  const G = 4 * H, TB = T * B;
  broadcastRows(Zs, b, TB, G);
  inputProjection(X, W, Zs, B, T, I, G);
  const hStep = <usize>(B * H) << 2, zStep = <usize>(B * G) << 2, tanhC = <usize>T * hStep;
  for (let t = 0; t < T; t++) {
    const z = Zs + <usize>t * zStep, h = Hs + <usize>t * hStep, c = Cs + <usize>t * hStep;
    if (t > 0) gemm(B, G, H, h - hStep, H, 1, U, G, z, G);
    for (let r = 0; r < B; r++) {
      const zr = z + (<usize>(r * G) << 2), hr = h + (<usize>(r * H) << 2), cr = c + (<usize>(r * H) << 2);
      const cp = t > 0 ? cr - hStep : cr; // only read when t > 0
      for (let j = 0; j < H; j += 4) {
        const i = sigv(ld(f4(zr, j))), f = sigv(ld(f4(zr, H + j))), g = tanhv(ld(f4(zr, 2 * H + j))), o = sigv(ld(f4(zr, 3 * H + j)));
        st(f4(zr, j), i); st(f4(zr, H + j), f); st(f4(zr, 2 * H + j), g); st(f4(zr, 3 * H + j), o);
        let cv = f32x4.mul(i, g);
        if (t > 0) cv = f32x4.add(cv, f32x4.mul(f, ld(f4(cp, j))));
        st(f4(cr, j), cv);
        const tc = tanhv(cv);
        st(f4(cr + tanhC, j), tc);
        st(f4(hr, j), f32x4.mul(o, tc));
      }
    }
  }
}

/**
 * BPTT for LSTM. dH holds dL/dh_{T-1} on entry; dC is scratch (B×H); dZ is T×B×G
 * scratch; UT is G×H scratch. Gradients are added to dW, dU, db; dX written when non-zero; norms
 * (T×B) gets ‖dL/dh_t‖ when non-zero.
 */
export function lstmBackward(X: usize, W: usize, U: usize, Hs: usize, Zs: usize, Cs: usize, dH: usize, dC: usize, dZ: usize, UT: usize, dW: usize, dU: usize, db: usize, dX: usize, norms: usize, B: i32, T: i32, I: i32, H: i32): void {
  const G = 4 * H;
  transposeStrided(U, G, H, G, UT);
  const hStep = <usize>(B * H) << 2, zStep = <usize>(B * G) << 2, tanhC = <usize>T * hStep;
  memory.fill(dC, 0, hStep);
  const one = f32x4.splat(1.0);
  for (let t = T - 1; t >= 0; t--) {
    const z = Zs + <usize>t * zStep, c = Cs + <usize>t * hStep, dz = dZ + <usize>t * zStep;
    if (norms != 0) recordNorms(dH, norms, t, B, H);
    for (let r = 0; r < B; r++) {
      const zr = z + (<usize>(r * G) << 2), cr = c + (<usize>(r * H) << 2), dzr = dz + (<usize>(r * G) << 2);
      const dhr = dH + (<usize>(r * H) << 2), dcr = dC + (<usize>(r * H) << 2);
      for (let j = 0; j < H; j += 4) {
        const i = ld(f4(zr, j)), f = ld(f4(zr, H + j)), g = ld(f4(zr, 2 * H + j)), o = ld(f4(zr, 3 * H + j));
        const tc = ld(f4(cr + tanhC, j));
        const dh = ld(f4(dhr, j));
        const dc = f32x4.add(ld(f4(dcr, j)), f32x4.mul(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(tc, tc))));
        const cprev = t > 0 ? ld(f4(cr - (t > 0 ? hStep : 0), j)) : f32x4.splat(0.0);
        st(f4(dzr, j), f32x4.mul(f32x4.mul(dc, g), f32x4.mul(i, f32x4.sub(one, i))));
        st(f4(dzr, H + j), f32x4.mul(f32x4.mul(dc, cprev), f32x4.mul(f, f32x4.sub(one, f))));
        st(f4(dzr, 2 * H + j), f32x4.mul(f32x4.mul(dc, i), f32x4.sub(one, f32x4.mul(g, g))));
        st(f4(dzr, 3 * H + j), f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(o, f32x4.sub(one, o))));
        st(f4(dcr, j), f32x4.mul(dc, f));
      }
    }
    // dW += x_tᵀ dz_t while dz_t is still in cache (one pass over all steps would stream them from memory).
    inputWeightGrad(X, t, dz, dW, B, T, I, G);
    if (t > 0) {
      const hp = Hs + <usize>(t - 1) * hStep;
      gemm(H, G, B, hp, 1, H, dz, G, dU, G);
      memory.fill(dH, 0, hStep);
      gemm(B, H, G, dz, G, 1, UT, H, dH, H);
    }
  }
  addColumnSums(db, dZ, T * B, G);
  if (dX != 0) inputGrad(dZ, W, dX, T * B, I, G);
}

export function gruForward(X: usize, W: usize, U: usize, b: usize, Hs: usize, Zs: usize, RH: usize, B: i32, T: i32, I: i32, H: i32): void {
  const G = 3 * H, TB = T * B;
  broadcastRows(Zs, b, TB, G);
  inputProjection(X, W, Zs, B, T, I, G);
  const hStep = <usize>(B * H) << 2, zStep = <usize>(B * G) << 2;
  const one = f32x4.splat(1.0);
  for (let t = 0; t < T; t++) {
    const z = Zs + <usize>t * zStep, h = Hs + <usize>t * hStep, rh = RH + <usize>t * hStep;
    const hp = t > 0 ? h - hStep : h; // only read when t > 0
    if (t > 0) gemm(B, 2 * H, H, hp, H, 1, U, G, z, G);
    // z and r gates, then r ⊙ h_{t-1}
    for (let r = 0; r < B; r++) {
      const zr = z + (<usize>(r * G) << 2), rhr = rh + (<usize>(r * H) << 2), hpr = hp + (<usize>(r * H) << 2);
      for (let j = 0; j < H; j += 4) {
        const zg = sigv(ld(f4(zr, j))), rg = sigv(ld(f4(zr, H + j)));
        st(f4(zr, j), zg); st(f4(zr, H + j), rg);
        st(f4(rhr, j), t > 0 ? f32x4.mul(rg, ld(f4(hpr, j))) : f32x4.splat(0.0));
      }
    }
    if (t > 0) gemm(B, H, H, rh, H, 1, U + (<usize>(2 * H) << 2), G, z + (<usize>(2 * H) << 2), G);
    for (let r = 0; r < B; r++) {
      const zr = z + (<usize>(r * G) << 2), hr = h + (<usize>(r * H) << 2), hpr = hp + (<usize>(r * H) << 2);
      for (let j = 0; j < H; j += 4) {
        const zg = ld(f4(zr, j));
        const hh = tanhv(ld(f4(zr, 2 * H + j)));
        st(f4(zr, 2 * H + j), hh);
        let hv = f32x4.mul(f32x4.sub(one, zg), hh);
        if (t > 0) hv = f32x4.add(hv, f32x4.mul(zg, ld(f4(hpr, j))));
        st(f4(hr, j), hv);
      }
    }
  }
}

/**
 * BPTT for GRU. dH holds dL/dh_{T-1} on entry; dRH is scratch (B×H); dZ T×B×G;
 * UT holds the transposes of U's blocks (G×H); norms (T×B) gets ‖dL/dh_t‖ when non-zero.
 */
export function gruBackward(X: usize, W: usize, U: usize, Hs: usize, Zs: usize, RH: usize, dH: usize, dRH: usize, dZ: usize, UT: usize, dW: usize, dU: usize, db: usize, dX: usize, norms: usize, B: i32, T: i32, I: i32, H: i32): void {
  const G = 3 * H;
  transposeStrided(U, G, H, G, UT); // UT [G][H]: rows 0..2H-1 = U_zrᵀ, rows 2H..3H-1 = U_hᵀ
  const hStep = <usize>(B * H) << 2, zStep = <usize>(B * G) << 2;
  const one = f32x4.splat(1.0);
  for (let t = T - 1; t >= 0; t--) {
    const z = Zs + <usize>t * zStep, dz = dZ + <usize>t * zStep, rh = RH + <usize>t * hStep;
    const hp = t > 0 ? Hs + <usize>(t - 1) * hStep : Hs; // only read when t > 0
    if (norms != 0) recordNorms(dH, norms, t, B, H);
    // Candidate and update gate.
    for (let r = 0; r < B; r++) {
      const zr = z + (<usize>(r * G) << 2), dzr = dz + (<usize>(r * G) << 2), dhr = dH + (<usize>(r * H) << 2), hpr = hp + (<usize>(r * H) << 2);
      for (let j = 0; j < H; j += 4) {
        const zg = ld(f4(zr, j)), hh = ld(f4(zr, 2 * H + j)), dh = ld(f4(dhr, j));
        const hprev = t > 0 ? ld(f4(hpr, j)) : f32x4.splat(0.0);
        st(f4(dzr, j), f32x4.mul(f32x4.mul(dh, f32x4.sub(hprev, hh)), f32x4.mul(zg, f32x4.sub(one, zg))));
        st(f4(dzr, 2 * H + j), f32x4.mul(f32x4.mul(dh, f32x4.sub(one, zg)), f32x4.sub(one, f32x4.mul(hh, hh))));
      }
    }
    // d(r⊙h) = dẑ U_hᵀ
    memory.fill(dRH, 0, hStep);
    gemm(B, H, H, dz + (<usize>(2 * H) << 2), G, 1, UT + (<usize>(2 * H * H) << 2), H, dRH, H);
    for (let r = 0; r < B; r++) {
      const zr = z + (<usize>(r * G) << 2), dzr = dz + (<usize>(r * G) << 2), drh = dRH + (<usize>(r * H) << 2), hpr = hp + (<usize>(r * H) << 2), dhr = dH + (<usize>(r * H) << 2);
      for (let j = 0; j < H; j += 4) {
        const rg = ld(f4(zr, H + j)), zg = ld(f4(zr, j));
        const hprev = t > 0 ? ld(f4(hpr, j)) : f32x4.splat(0.0);
        const d = ld(f4(drh, j));
        st(f4(dzr, H + j), f32x4.mul(f32x4.mul(d, hprev), f32x4.mul(rg, f32x4.sub(one, rg))));
        // dh_{t-1} so far: through the update gate and through r ⊙ h
        st(f4(dhr, j), f32x4.add(f32x4.mul(ld(f4(dhr, j)), zg), f32x4.mul(d, rg)));
      }
    }
    inputWeightGrad(X, t, dz, dW, B, T, I, G); // while dz_t is in cache, as in lstmBackward
    if (t > 0) {
      gemm(H, 2 * H, B, hp, 1, H, dz, G, dU, G);
      gemm(H, H, B, rh, 1, H, dz + (<usize>(2 * H) << 2), G, dU + (<usize>(2 * H) << 2), G);
      gemm(B, H, 2 * H, dz, G, 1, UT, H, dH, H);
    }
  }
  addColumnSums(db, dZ, T * B, G);
  if (dX != 0) inputGrad(dZ, W, dX, T * B, I, G);
}

/** dX = dZ Wᵀ (scalar: I is not a multiple of 8 in general). */
export function inputGrad(dZ: usize, W: usize, dX: usize, rows: i32, I: i32, G: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < I; i++) {
      let s: f32 = 0;
      for (let j = 0; j < G; j++) s += load<f32>(dZ + (<usize>(r * G + j) << 2)) * load<f32>(W + (<usize>(i * G + j) << 2));
      store<f32>(dX + (<usize>(r * I + i) << 2), s);
    }
  }
}
