/** The bench protocol's pure parts: medians and ranges, what counts as disturbed, re-running, /proc/cpuinfo. */
import { describe, expect, it } from 'vitest';
import { disturbances, judge, parseCpuinfo, runRounds, summarise, type RawRound } from '../../bench/protocol';
import { stat } from '../../bench/stats';

/** A quiet round: steady calibration, two threads ahead of one on both sides. */
const quiet = (over: Partial<RawRound> = {}): RawRound => ({
  calibrationMs: [100, 101, 102, 101, 100],
  ours: { 1: 10_000, 2: 18_000 },
  peer: { 1: 9_000, 2: 10_000 },
  kernel: 'relaxed',
  ...over,
});

describe('median and range', () => {
  it('takes the middle value (the mean of the two middle ones for an even count), the smallest and the largest', () => {
    expect(stat([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(stat([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
    expect(stat([7])).toEqual({ median: 7, min: 7, max: 7, runs: 1 });
  });

  it('summarises only the rounds that count, the ratio as the median of per-round ratios', () => {
    const rounds = judge([
      quiet({ ours: { 1: 10_000, 2: 20_000 }, peer: { 1: 9_000, 2: 10_000 } }), // 2.0
      quiet({ ours: { 1: 10_000, 2: 15_000 }, peer: { 1: 9_000, 2: 10_000 } }), // 1.5
      quiet({ ours: { 1: 10_000, 2: 18_000 }, peer: { 1: 9_000, 2: 12_000 } }), // 1.5
      quiet({ calibrationMs: [100, 140] }), // disturbed: left out
    ]);
    const [one, two] = summarise(rounds, [1, 2]);
    expect(two.threads).toBe(2);
    expect(two.ratio).toEqual({ median: 1.5, min: 1.5, max: 2, runs: 3 });
    expect(two.ours).toEqual({ median: 18_000, min: 15_000, max: 20_000, runs: 3 });
    expect(two.peer!.median).toBe(10_000);
    expect(one.ratio!.median).toBeCloseTo(10_000 / 9_000, 10);
  });

  it('gives no peer figures or ratio when no round had a peer', () => {
    const [one] = summarise(judge([quiet({ peer: null })]), [1]);
    expect(one.ours.median).toBe(10_000);
    expect(one.peer).toBeNull();
    expect(one.ratio).toBeNull();
  });
});

describe('disturbance detection', () => {
  it('passes a quiet round', () => {
    expect(disturbances(quiet(), 100)).toEqual([]);
  });

  it('catches calibrations that moved by more than 10% within the round, either way and in between', () => {
    expect(disturbances(quiet({ calibrationMs: [100, 111] }), 100)).toEqual(['calibration moved 11% within the round (100.0 to 111.0 ms)']);
    expect(disturbances(quiet({ calibrationMs: [111, 100] }), 100)[0]).toMatch(/calibration moved 11%/);
    expect(disturbances(quiet({ calibrationMs: [100, 101, 125, 100, 102] }), 100)[0]).toMatch(/calibration moved 25%/);
    expect(disturbances(quiet({ calibrationMs: [100, 105, 109, 101, 100] }), 100)).toEqual([]);
  });

  it('catches a round whose calibration is steady but more than 10% slower than the fastest one', () => {
    expect(disturbances(quiet({ calibrationMs: [130, 131] }), 100)).toEqual(['calibration 31% slower than the fastest (100.0 ms)']);
    expect(disturbances(quiet({ calibrationMs: [108, 109, 108] }), 100)).toEqual([]);
  });

  it("catches a side whose two-thread figure is below its own one-thread figure (PyTorch's collapse)", () => {
    const why = disturbances(quiet({ peer: { 1: 9_972, 2: 7_670 } }), 100);
    expect(why).toEqual(['peer: 2 threads (7670) below 1 (9972)']);
    expect(disturbances(quiet({ ours: { 1: 12_000, 2: 11_000 } }), 100)).toEqual(['ours: 2 threads (11000) below 1 (12000)']);
    expect(disturbances(quiet({ peer: null }), 100)).toEqual([]);
  });

  it('judges every round against the fastest calibration of all of them, so a later quiet round overturns an early slow one', () => {
    const early = quiet({ calibrationMs: [130, 132] });
    expect(judge([early])[0].disturbed).toEqual([]);
    const both = judge([early, quiet()]);
    expect(both[0].disturbed).toHaveLength(1);
    expect(both[1].disturbed).toEqual([]);
    expect(both.map((r) => r.index)).toEqual([1, 2]);
  });
});

describe('re-running disturbed rounds', () => {
  /** Feeds the given rounds in order, as the processes would. */
  const feed = (raws: RawRound[]) => {
    let n = 0;
    return { measure: () => raws[n++], calls: () => n };
  };

  it('stops at the wanted number of quiet rounds when none is disturbed', async () => {
    const f = feed(Array.from({ length: 10 }, () => quiet()));
    const r = await runRounds({ wanted: 5, threads: [1, 2], measure: f.measure });
    expect(f.calls()).toBe(5);
    expect(r.complete).toBe(true);
    expect(r.summary[1].ratio!.runs).toBe(5);
  });

  it('runs a disturbed round again and keeps it in the record', async () => {
    const collapsed = quiet({ peer: { 1: 9_000, 2: 800 } });
    const f = feed([quiet(), collapsed, quiet(), quiet(), quiet(), quiet(), quiet()]);
    const r = await runRounds({ wanted: 5, threads: [1, 2], measure: f.measure });
    expect(f.calls()).toBe(6);
    expect(r.rounds).toHaveLength(6);
    expect(r.rounds[1].disturbed[0]).toMatch(/^peer: 2 threads/);
    expect(r.summary[1].ratio).toEqual(stat([1.8, 1.8, 1.8, 1.8, 1.8]));
    expect(r.summary[1].peer!.min).toBe(10_000);
  });

  it('runs more rounds when a later, faster calibration shows the early ones were slow', async () => {
    const slow = quiet({ calibrationMs: [130, 131] });
    const f = feed([slow, slow, quiet(), quiet(), quiet(), quiet(), quiet(), quiet()]);
    const r = await runRounds({ wanted: 3, threads: [1, 2], measure: f.measure });
    expect(f.calls()).toBe(5);
    expect(r.rounds.filter((x) => x.disturbed.length).map((x) => x.index)).toEqual([1, 2]);
    expect(r.complete).toBe(true);
  });

  it('gives up after three attempts per wanted round and says the cell is incomplete', async () => {
    const f = feed(Array.from({ length: 20 }, (_, i) => (i % 4 ? quiet({ calibrationMs: [100, 150] }) : quiet())));
    const r = await runRounds({ wanted: 5, threads: [1, 2], measure: f.measure });
    expect(f.calls()).toBe(15);
    expect(r.complete).toBe(false);
    expect(r.summary[0].ours.runs).toBe(4);
  });
});

describe('/proc/cpuinfo', () => {
  const zen4 = [
    'processor\t: 0',
    'vendor_id\t: AuthenticAMD',
    'cpu family\t: 25',
    'model\t\t: 17',
    'model name\t: AMD EPYC 9B14',
    'stepping\t: 1',
    'flags\t\t: fpu vme sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512dq avx512bw avx512vl avx_vnni',
    '',
    'processor\t: 1',
    'model name\t: AMD EPYC 9B14',
    'flags\t\t: fpu',
  ].join('\n');

  it('reads the first processor’s model, its numbered generation and its AVX2, AVX-512 and FMA flags', () => {
    expect(parseCpuinfo(zen4)).toEqual({
      model: 'AMD EPYC 9B14',
      generation: 'AuthenticAMD 25/17/1',
      avx2: true,
      avx512: true,
      fma: true,
      vectorFlags: ['fma', 'avx', 'avx2', 'avx512f', 'avx512dq', 'avx512bw', 'avx512vl', 'avx_vnni'],
    });
  });

  it('says no AVX-512 where only AVX2 is listed, and does not mistake avx512 subsets or avx2 for the others', () => {
    const haswell = 'model name\t: Intel(R) Xeon(R) CPU E5-2680 v3\nflags\t\t: sse avx avx2 fma\n';
    expect(parseCpuinfo(haswell)).toMatchObject({ model: 'Intel(R) Xeon(R) CPU E5-2680 v3', avx2: true, avx512: false, fma: true });
    const odd = 'model name\t: X\nflags\t\t: avx avx512vl fma4\n';
    expect(parseCpuinfo(odd)).toMatchObject({ avx2: false, avx512: false, fma: false, vectorFlags: ['avx', 'avx512vl', 'fma4'] });
  });

  it('copes with text that has no model name or flags', () => {
    expect(parseCpuinfo('processor\t: 0\n')).toEqual({ model: 'unknown', generation: null, avx2: false, avx512: false, fma: false, vectorFlags: [] });
    // A family and model without a stepping are not a generation; a missing vendor is named unknown.
    expect(parseCpuinfo('cpu family\t: 25\nmodel\t\t: 17\n').generation).toBeNull();
    expect(parseCpuinfo('cpu family\t: 6\nmodel\t\t: 85\nstepping\t: 7\nmodel name\t: Intel Xeon\n').generation).toBe('unknown 6/85/7');
  });
});
