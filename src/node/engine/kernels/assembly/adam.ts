// Adam over the flat weights, with tfjs's update rule: p -= lr·(m/c1) / (√(v/c2) + ε), where
// c1 = 1 − β1^t and c2 = 1 − β2^t are the bias corrections of step t. n must be a multiple of 4.
export function adamUpdate(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, b1: f32, b2: f32, eps: f32, c1: f32, c2: f32): void {
  const B1 = f32x4.splat(b1), B2 = f32x4.splat(b2), nB1 = f32x4.splat(1 - b1), nB2 = f32x4.splat(1 - b2);
  const LR = f32x4.splat(lr), E = f32x4.splat(eps), C1 = f32x4.splat(c1), C2 = f32x4.splat(c2);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(B1, v128.load(m + o)), f32x4.mul(nB1, gi));
    const vi = f32x4.add(f32x4.mul(B2, v128.load(v + o)), f32x4.mul(nB2, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const step = f32x4.div(f32x4.mul(LR, f32x4.div(mi, C1)), f32x4.add(f32x4.sqrt(f32x4.div(vi, C2)), E));
    v128.store(p + o, f32x4.sub(v128.load(p + o), step));
  }
}
