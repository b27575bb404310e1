/** Taking a view away: the map as PNG and the trace as JSON, saved through the browser's download. */
import type { HiddenMap } from '$shared/projection';
import { projectStates } from '$shared/projection';
import type { TraceResult } from '$shared/types';
import { t } from './i18n/index.svelte';

/** Offer a blob as a file download. */
export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Stack same-sized canvases (bottom first) onto one and encode it as PNG. */
export function canvasesToPng(layers: HTMLCanvasElement[]): Promise<Blob> {
  const [first] = layers;
  const out = document.createElement('canvas');
  out.width = first.width;
  out.height = first.height;
  const ctx = out.getContext('2d')!;
  for (const c of layers) ctx.drawImage(c, 0, 0);
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error(t('hiddenMap.pngFailed')))), 'image/png'));
}

/** The trace as plain JSON: every step's hidden state, gates and beliefs, and the path on the map when one is given. */
export function traceToJson(trace: TraceResult, input: Float32Array | null, map: HiddenMap | null, modelId: string | null): string {
  const rows = (a: Float32Array, cols: number) =>
    Array.from({ length: a.length / cols }, (_, r) => Array.from(a.subarray(r * cols, (r + 1) * cols), (v) => +v.toFixed(6)));
  const path = map && map.hidden === trace.hidden ? projectStates(map, trace.h, trace.steps) : null;
  return JSON.stringify(
    {
      format: 'rnn-lens-trace/1',
      model: modelId,
      cell: trace.cell,
      hidden: trace.hidden,
      steps: trace.steps,
      prediction: trace.prediction,
      probs: Array.from(trace.probs),
      input: input ? rows(input, 28) : null,
      h: rows(trace.h, trace.hidden),
      ...(trace.c ? { c: rows(trace.c, trace.hidden) } : {}),
      gates: Object.fromEntries(Object.entries(trace.gates ?? {}).map(([k, v]) => [k, rows(v!, trace.hidden)])),
      beliefs: rows(trace.stepProbs, 10),
      ...(path ? { mapPath: rows(path, 2), mapExplained: map!.explained } : {}),
    },
    null,
    1,
  );
}
