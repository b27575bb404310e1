/**
 * The one model shape this app builds, checked in model.json before tfjs sees
 * anything: a Sequential of one recurrent layer (SimpleRNN, LSTM or GRU with the
 * activations createModel uses, input [null, steps, inputs] of its read) and a Dense(10)
 * softmax head, with weight specs whose names, shapes and dtype are exactly what that
 * topology needs. The read is in `userDefinedMetadata` (absent: rows, as in files made
 * before reads existed); a read this app does not know is refused by name. A file that
 * passes describes a model createModel can rebuild.
 */
import { errorMessage } from '../../../shared/errors';
import { DEFAULT_READ, isRead, READS, readShape, unknownReadMessage, type Read } from '../../../shared/reads';
import { TRAIN_BOUNDS } from '../../../shared/training';
import { CLASSES, GATES, type CellType } from '../../../shared/types';
import { LAYER, type ModelShape } from './model';

/** A model file that failed verification; the message names the file and what is wrong with it. */
export class CorruptModelError extends Error {
  constructor(
    readonly where: string,
    detail: string,
  ) {
    super(`${where}: ${detail}`);
    this.name = 'CorruptModelError';
  }
}

/** The recurrent layer class names a file may give. A Map, so a name such as "constructor" or "__proto__" finds nothing. */
const CLASS_OF: ReadonlyMap<unknown, CellType> = new Map([
  ['SimpleRNN', 'rnn'],
  ['LSTM', 'lstm'],
  ['GRU', 'gru'],
]);

/** Names and shapes of the weights, in the order tfjs saves them. */
export function weightSpecs(cell: CellType, hidden: number, read: Read = DEFAULT_READ): { name: string; shape: number[] }[] {
  const g = GATES[cell] * hidden;
  return [
    { name: `${LAYER.recurrent}/kernel`, shape: [readShape(read).inputs, g] },
    { name: `${LAYER.recurrent}/recurrent_kernel`, shape: [hidden, g] },
    { name: `${LAYER.recurrent}/bias`, shape: [g] },
    { name: `${LAYER.head}/kernel`, shape: [hidden, CLASSES] },
    { name: `${LAYER.head}/bias`, shape: [CLASSES] },
  ];
}

/** Bytes of weights.bin for a model of this cell, size and read; throws unless that is a finite whole number. */
export function weightBytes(cell: CellType, hidden: number, read: Read = DEFAULT_READ): number {
  const bytes = 4 * weightSpecs(cell, hidden, read).reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new Error(`no ${String(cell)}-${hidden} model exists`);
  return bytes;
}

/** Largest model.json accepted: ours are about 3 KB. */
export const MAX_MODEL_JSON_BYTES = 64 * 1024;
/** Largest weights.bin of any model the app builds (LSTM at the largest hidden size, reading 28 pixels a step). */
export const MAX_WEIGHT_BYTES = Math.max(...READS.map((r) => weightBytes('lstm', TRAIN_BOUNDS.hidden.max, r)));

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

/** The cell, size and read a model.json describes; throws CorruptModelError naming the first field that is off. */
export function parseModelJson(bytes: Uint8Array, file = 'model.json'): ModelShape {
  const fail = (field: string, detail: string): never => {
    throw new CorruptModelError(file, `${field} ${detail}`);
  };
  if (bytes.length > MAX_MODEL_JSON_BYTES) fail('size', `is ${bytes.length} bytes; a model.json of this app is under ${MAX_MODEL_JSON_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    fail('content', `is not valid UTF-8 JSON (${errorMessage(err).slice(0, 80)})`);
  }
  if (!isObject(json)) return fail('content', 'is not a JSON object');
  const read = readOf(json.userDefinedMetadata, fail);
  const topo = json.modelTopology;
  if (!isObject(topo)) return fail('modelTopology', 'is missing');
  if (topo.class_name !== 'Sequential') fail('modelTopology.class_name', `is ${show(topo.class_name)}, expected "Sequential"`);
  const layers = isObject(topo.config) ? topo.config.layers : undefined;
  if (!Array.isArray(layers) || layers.length !== 2)
    return fail('modelTopology.config.layers', 'must hold exactly two layers: a recurrent layer and a Dense head');
  const [rec, head] = layers as unknown[];
  if (!isObject(rec) || !isObject(rec.config)) return fail('layers[0]', 'is not a layer');
  const cell = CLASS_OF.get(rec.class_name);
  if (!cell) return fail('layers[0].class_name', `is ${show(rec.class_name)}, expected SimpleRNN, LSTM or GRU`);
  const rc = rec.config as Json;
  const want = (field: string, got: unknown, expected: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(expected)) fail(`layers[0].config.${field}`, `is ${show(got)}, expected ${show(expected)}`);
  };
  want('name', rc.name, LAYER.recurrent);
  const hidden = rc.units;
  const { min, max } = TRAIN_BOUNDS.hidden;
  if (typeof hidden !== 'number' || !Number.isInteger(hidden) || hidden < min || hidden > max)
    fail('layers[0].config.units', `is ${show(hidden)}, expected a whole number from ${min} to ${max}`);
  const { steps, inputs } = readShape(read);
  if (JSON.stringify(rc.batch_input_shape) !== JSON.stringify([null, steps, inputs]))
    fail('layers[0].config.batch_input_shape', `is ${show(rc.batch_input_shape)}, expected ${show([null, steps, inputs])} for the read ${read}`);
  want('activation', rc.activation, 'tanh');
  if (cell !== 'rnn') want('recurrent_activation', rc.recurrent_activation, 'sigmoid');
  if (cell === 'gru') want('reset_after', rc.reset_after ?? false, false);
  want('use_bias', rc.use_bias, true);
  for (const flag of ['return_sequences', 'return_state', 'go_backwards', 'stateful']) want(flag, rc[flag] ?? false, false);
  if (!isObject(head) || !isObject(head.config)) return fail('layers[1]', 'is not a layer');
  if (head.class_name !== 'Dense') fail('layers[1].class_name', `is ${show(head.class_name)}, expected "Dense"`);
  const hc = head.config as Json;
  const wantHead = (field: string, got: unknown, expected: unknown) => {
    if (got !== expected) fail(`layers[1].config.${field}`, `is ${show(got)}, expected ${show(expected)}`);
  };
  wantHead('name', hc.name, LAYER.head);
  wantHead('units', hc.units, CLASSES);
  wantHead('activation', hc.activation, 'softmax');
  wantHead('use_bias', hc.use_bias, true);

  const groups = json.weightsManifest;
  if (!Array.isArray(groups) || groups.length !== 1 || !isObject(groups[0])) return fail('weightsManifest', 'must be one group naming weights.bin');
  const group = groups[0] as Json;
  if (JSON.stringify(group.paths) !== JSON.stringify(['./weights.bin']))
    fail('weightsManifest[0].paths', `is ${show(group.paths)}, expected ["./weights.bin"]`);
  const specs = group.weights;
  const expected = weightSpecs(cell, hidden as number, read);
  if (!Array.isArray(specs) || specs.length !== expected.length) return fail('weightsManifest[0].weights', `must list exactly ${expected.length} weights`);
  expected.forEach((e, i) => {
    const s = specs[i] as unknown;
    const at = `weightsManifest[0].weights[${i}]`;
    if (!isObject(s)) return fail(at, 'is not a weight spec');
    const extra = Object.keys(s).filter((k) => !['name', 'shape', 'dtype'].includes(k));
    if (extra.length) fail(`${at}.${extra[0]}`, 'is not allowed: weights are plain float32 (no quantization, no group)');
    if (s.name !== e.name) fail(`${at}.name`, `is ${show(s.name)}, expected ${show(e.name)}`);
    if (JSON.stringify(s.shape) !== JSON.stringify(e.shape)) fail(`${at}.shape`, `is ${show(s.shape)}, expected ${show(e.shape)}`);
    if (s.dtype !== 'float32') fail(`${at}.dtype`, `is ${show(s.dtype)}, expected "float32"`);
  });
  return { cell, hidden: hidden as number, read };
}

/** The read model.json's metadata names: absent (a file from before reads existed) is rows; anything else must be a read by name. */
function readOf(meta: unknown, fail: (field: string, detail: string) => never): Read {
  if (meta === undefined) return DEFAULT_READ;
  if (!isObject(meta)) return fail('userDefinedMetadata', 'must be an object holding the read');
  const extra = Object.keys(meta).filter((k) => k !== 'read');
  if (extra.length) fail(`userDefinedMetadata.${extra[0].slice(0, 40)}`, 'is not allowed: the metadata holds only the read');
  if (meta.read === undefined) return DEFAULT_READ;
  if (!isRead(meta.read)) fail('userDefinedMetadata.read', unknownReadMessage(meta.read));
  return meta.read as Read;
}
