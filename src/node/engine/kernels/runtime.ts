/**
 * The fused kernels' runtime, one per process or thread that trains or evaluates: the
 * compiled module of the build this engine runs, the constants read from it, and the
 * kernel worker threads it has started (kept idle between runs of the same shape, so a
 * probe's threads are handed on to the run). Created by an entry point and passed down;
 * nothing of it lives at module level.
 */
import v8 from 'node:v8';
import { CELLS, GATES, type CellType } from '../../../shared/types';
import { KERNEL_WASM_BASE64, KERNEL_WASM_CHECKED_BASE64, KERNEL_WASM_RELAXED_BASE64 } from './kernelWasm';
import { headerValues, layoutFields, planLayout, writeHeader, type KernelLayout, type LayoutOptions } from './layout';
import { KernelWorker } from './kernelWorker';

/** The kernel module's exports: each entry takes the address of a Layout record and the batch size. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  forwardAll(layout: number, B: number): void;
  trainStep(layout: number, B: number): number;
  adamStep(layout: number, lr: number, b1: number, b2: number, eps: number, c1: number, c2: number): void;
  tanhArray(src: number, dst: number, n: number): void;
}

/** The builds: plain 128-bit SIMD; relaxed SIMD with fused multiply-add; plain with the kernels' assertions kept (tests). */
export const BUILDS = ['plain', 'relaxed', 'checked'] as const;
export type KernelBuild = (typeof BUILDS)[number];

const BYTES: Record<KernelBuild, string> = { plain: KERNEL_WASM_BASE64, relaxed: KERNEL_WASM_RELAXED_BASE64, checked: KERNEL_WASM_CHECKED_BASE64 };
const bytesOf = (b: KernelBuild) => Buffer.from(BYTES[b], 'base64');

/** True when this engine runs relaxed SIMD, after turning on Node 20's experimental flag if that is what it takes. */
export function relaxedSupported(): boolean {
  const relaxed = bytesOf('relaxed');
  if (!WebAssembly.validate(relaxed)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(relaxed);
}

/** The build this engine should run: relaxed SIMD where it validates (Electron's V8; Node 20 with its flag), else plain. */
export function detectBuild(): KernelBuild {
  return relaxedSupported() ? 'relaxed' : 'plain';
}

/** A kernel module's assertion failure, with its message read from the module's memory. */
function importsFor(memory: () => WebAssembly.Memory | null): WebAssembly.Imports {
  return {
    env: {
      abort: (msg: number, _file: number, line: number) => {
        let text = 'an invariant failed';
        const mem = memory();
        if (mem && msg) {
          // An AssemblyScript string: UTF-16, its byte length in the four bytes before it.
          const len = new Uint32Array(mem.buffer, msg - 4, 1)[0];
          text = String.fromCharCode(...new Uint16Array(mem.buffer, msg, len / 2));
        }
        throw new Error(`kernel abort: ${text} (line ${line})`);
      },
    },
  };
}

/** Instantiate a kernel module for `layout`: memory grown to fit it and the Layout record written. */
export function instantiateKernel(mod: WebAssembly.Module, layout: KernelLayout, values: Record<string, number>): KernelExports {
  let memory: WebAssembly.Memory | null = null;
  const instance = new WebAssembly.Instance(
    mod,
    importsFor(() => memory),
  );
  const x = instance.exports as unknown as KernelExports;
  memory = x.memory;
  const need = Math.ceil(layout.bytes / 65536) - x.memory.buffer.byteLength / 65536;
  if (need > 0) x.memory.grow(need);
  writeHeader(x.memory.buffer, layout.header, layoutFields(instance.exports).fields, values);
  return x;
}

export interface KernelRuntimeOptions {
  /** Which build to run (default: detected). */
  build?: KernelBuild;
  /** Threads a training batch is split over (this one and workers), 1 to MAX_THREADS; default every core. */
  threads?: number;
}

/** Most threads a batch is split over: one batch of 128 split further gains little. */
export const MAX_THREADS = 8;

export class KernelRuntime {
  readonly build: KernelBuild;
  readonly module: WebAssembly.Module;
  /** Cell codes, as the module defines them. */
  readonly cellCode: Readonly<Record<CellType, number>>;
  /** Hidden sizes the kernels take are multiples of this. */
  readonly multiple: number;
  /** Threads a training batch is split over. */
  readonly threads: number;
  readonly #idle: KernelWorker[] = [];

  constructor(opts: KernelRuntimeOptions = {}, cores = 1) {
    this.build = opts.build ?? detectBuild();
    if (this.build === 'relaxed' && !relaxedSupported()) throw new Error('this WebAssembly engine has no relaxed SIMD');
    this.module = new WebAssembly.Module(bytesOf(this.build));
    const probe = new WebAssembly.Instance(
      this.module,
      importsFor(() => null),
    ).exports as Record<string, unknown>;
    const global = (name: string) => Number((probe[name] as WebAssembly.Global).value);
    this.cellCode = { rnn: global('CELL_RNN'), gru: global('CELL_GRU'), lstm: global('CELL_LSTM') };
    this.multiple = global('KERNEL_MULTIPLE');
    const gatesOf = probe.gatesOf as (code: number) => number;
    for (const cell of CELLS) {
      if (gatesOf(this.cellCode[cell]) !== GATES[cell])
        throw new Error(`the kernel module gives ${cell} ${gatesOf(this.cellCode[cell])} gate blocks, this side ${GATES[cell]}`);
    }
    const n = opts.threads ?? cores;
    this.threads = Math.max(1, Math.min(MAX_THREADS, Number.isInteger(n) ? n : 1));
  }

  /** The hidden size the kernels run for `hidden` units (padded up to the multiple). */
  padded(hidden: number): number {
    return Math.ceil(hidden / this.multiple) * this.multiple;
  }

  /** The memory plan of an instance; the hidden size must already be a multiple. */
  layout(cell: CellType, hidden: number, maxBatch: number, opts: LayoutOptions = {}): KernelLayout {
    if (hidden < this.multiple || hidden % this.multiple !== 0)
      throw new Error(`the fused kernels need a hidden size that is a multiple of ${this.multiple}, got ${hidden}`);
    return planLayout(cell, hidden, maxBatch, opts);
  }

  /** The values of the Layout record for `layout`. */
  header(layout: KernelLayout): Record<string, number> {
    return headerValues(layout, this.cellCode[layout.cell]);
  }

  /** A new instance of the module for `layout`. */
  instantiate(layout: KernelLayout): KernelExports {
    return instantiateKernel(this.module, layout, this.header(layout));
  }

  /** A kernel worker thread for this layout: an idle one of the same shape, or a new one. */
  worker(layout: KernelLayout): KernelWorker {
    const i = this.#idle.findIndex((w) => sameShape(w.layout, layout));
    return i >= 0 ? this.#idle.splice(i, 1)[0] : new KernelWorker(layout, this.module, this.header(layout));
  }

  /** Start `count` worker threads of this layout ahead of the run that will take them. */
  prestart(layout: KernelLayout, count: number): void {
    const have = this.#idle.filter((w) => sameShape(w.layout, layout)).length;
    for (let i = have; i < count; i++) this.#idle.push(new KernelWorker(layout, this.module, this.header(layout)));
  }

  /** Threads started and not taken. */
  get idleWorkers(): number {
    return this.#idle.length;
  }

  /** Keep these threads for the next run of their shape. */
  release(workers: KernelWorker[]): void {
    this.#idle.push(...workers);
  }

  /** Stop the idle threads. */
  close(): void {
    for (const w of this.#idle.splice(0)) w.terminate();
  }
}

function sameShape(a: KernelLayout, b: KernelLayout): boolean {
  return (
    a.cell === b.cell &&
    a.H === b.H &&
    a.maxB === b.maxB &&
    a.read === b.read &&
    a.T === b.T &&
    a.I === b.I &&
    a.withInputGrad === b.withInputGrad &&
    a.withGradNorms === b.withGradNorms
  );
}
