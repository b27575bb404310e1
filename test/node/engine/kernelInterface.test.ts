/**
 * The interface between JavaScript and the kernel module: a Layout record written by field
 * name, constants read from the module, and the checked build's assertions.
 */
import { describe, expect, it } from 'vitest';
import { headerValues, writeHeader } from '../../../src/node/engine/kernels/layout';
import { instantiateKernel } from '../../../src/node/engine/kernels/runtime';
import { CELLS, GATES } from '../../../src/shared/types';
import { testRuntime } from '../../helpers';

const runtime = testRuntime();

describe('the kernel interface', () => {
  it('reads cell codes and the hidden-size multiple from the module, and they agree with the gate counts here', () => {
    expect(new Set(CELLS.map((c) => runtime.cellCode[c])).size).toBe(3);
    expect(runtime.multiple).toBe(8);
    const probe = new WebAssembly.Instance(runtime.module, { env: { abort: () => {} } }).exports as Record<string, unknown>;
    const gatesOf = probe.gatesOf as (code: number) => number;
    for (const c of CELLS) expect(gatesOf(runtime.cellCode[c])).toBe(GATES[c]);
  });

  it('writes every field of the Layout record by name: the order values are given in does not matter', () => {
    const layout = runtime.layout('lstm', 16, 8);
    const values = runtime.header(layout);
    const reversed = Object.fromEntries(Object.entries(values).reverse());
    const a = instantiateKernel(runtime.module, layout, values);
    const b = instantiateKernel(runtime.module, layout, reversed);
    const bytes = (x: typeof a) => new Uint8Array(x.memory.buffer, layout.header, 256).slice();
    expect(bytes(b)).toEqual(bytes(a));
    // Each field holds what it names, where the module says it lies.
    const view = new DataView(a.memory.buffer);
    const probe = new WebAssembly.Instance(runtime.module, { env: { abort: () => {} } }).exports as Record<string, { value: number }>;
    expect(view.getInt32(layout.header + probe.LAYOUT_H.value, true)).toBe(16);
    expect(view.getInt32(layout.header + probe.LAYOUT_Hs.value, true)).toBe(layout.off.Hs);
    expect(view.getInt32(layout.header + probe.LAYOUT_dW.value, true)).toBe(layout.off.dW);
  });

  it('refuses a record this side and the module disagree on, naming the field', () => {
    const layout = runtime.layout('gru', 8, 4);
    const { cell: _cell, ...missing } = headerValues(layout, 1);
    expect(() => instantiateKernel(runtime.module, layout, missing)).toThrow(/disagree: no value for cell/);
    expect(() => instantiateKernel(runtime.module, layout, { ...headerValues(layout, 1), dY: 0 })).toThrow(/disagree: no field dY/);
    const memory = new ArrayBuffer(65536 * 2);
    expect(() => writeHeader(memory, 65536, { H: 16 }, { H: Number.NaN })).toThrow(/Layout field H = NaN is not an address or size/);
  });

  it('the checked build stops with the invariant that failed: a batch past maxB, a hidden size off the multiple', () => {
    const layout = runtime.layout('rnn', 16, 4);
    const x = runtime.instantiate(layout);
    expect(() => x.trainStep(layout.header, 5)).toThrow(/kernel abort: the batch must be from 1 to the layout maxB/);
    expect(() => x.forwardAll(layout.header, 0)).toThrow(/kernel abort: the batch must be from 1/);
    const bad = instantiateKernel(runtime.module, layout, { ...runtime.header(layout), H: 12 });
    expect(() => bad.forwardAll(layout.header, 2)).toThrow(/kernel abort: the hidden size must be a positive multiple of KERNEL_MULTIPLE/);
    // The same call on the right record runs.
    expect(() => x.forwardAll(layout.header, 4)).not.toThrow();
  });

  it('the release builds leave the checks out', () => {
    const plain = testRuntime({ build: 'plain' });
    const layout = plain.layout('rnn', 16, 4);
    const bad = instantiateKernel(plain.module, layout, { ...plain.header(layout), H: 12 });
    expect(() => bad.forwardAll(layout.header, 2)).not.toThrow();
  });
});
