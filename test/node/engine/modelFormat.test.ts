/**
 * model.json checked field by field (src/node/engine/model/format.ts): each fault gives its whole
 * message, every bound is tried on both sides, and fields a file may leave out take their
 * defaults. hostileModels.test.ts takes the same checks through a whole import.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/node/engine/backend';
import { modelToBytes } from '../../../src/node/engine/model/artifacts';
import { CorruptModelError, MAX_MODEL_JSON_BYTES, MAX_WEIGHT_BYTES, parseModelJson, weightBytes, weightSpecs } from '../../../src/node/engine/model/format';
import { createModel } from '../../../src/node/engine/model/model';
import type { CellType } from '../../../src/shared/types';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const good: Partial<Record<CellType, Json>> = {};
beforeAll(async () => {
  await initBackend('wasm');
  for (const cell of ['rnn', 'gru'] as const) {
    const model = createModel({ cell, hidden: 16 });
    good[cell] = JSON.parse(Buffer.from((await modelToBytes(model)).modelJson).toString()) as Json;
    model.dispose();
  }
});

const encode = (j: unknown) => new TextEncoder().encode(typeof j === 'string' ? j : JSON.stringify(j));
/** The good model.json of a cell, edited. */
function edited(edit: (j: Json) => void, cell: CellType = 'gru'): Json {
  const j = structuredClone(good[cell]!);
  edit(j);
  return j;
}
const rec = (j: Json) => j.modelTopology.config.layers[0] as Json;
const head = (j: Json) => j.modelTopology.config.layers[1] as Json;
const specs = (j: Json) => j.weightsManifest[0].weights as Json[];
/** The message parseModelJson throws, or 'ok' with what it read. */
function message(j: unknown): string {
  try {
    const shape = parseModelJson(j instanceof Uint8Array ? j : encode(j));
    return `ok ${shape.cell}-${shape.hidden} ${shape.read}`;
  } catch (err) {
    expect(err).toBeInstanceOf(CorruptModelError);
    expect((err as Error).name).toBe('CorruptModelError');
    return (err as Error).message;
  }
}
/** The good GRU file with the hidden size set to h, its weight specs to match. */
const withHidden = (h: number) =>
  edited((j) => {
    rec(j).config.units = h;
    j.weightsManifest[0].weights = weightSpecs('gru', h).map((s) => ({ ...s, dtype: 'float32' }));
  });

describe('model.json, field by field', () => {
  it('takes the files the app writes, and the fields a file may leave out at their defaults', () => {
    expect(message(good.gru)).toBe('ok gru-16 rows');
    expect(message(good.rnn)).toBe('ok rnn-16 rows');
    // No metadata, metadata without a read, or the read named: rows unless it says otherwise.
    expect(message(edited((j) => delete j.userDefinedMetadata))).toBe('ok gru-16 rows');
    expect(message(edited((j) => (j.userDefinedMetadata = {})))).toBe('ok gru-16 rows');
    expect(message(edited((j) => (j.userDefinedMetadata = { read: 'rows' })))).toBe('ok gru-16 rows');
    expect(
      message(
        edited((j) => {
          j.userDefinedMetadata = { read: 'pixels:4' };
          rec(j).config.batch_input_shape = [null, 196, 4];
          j.weightsManifest[0].weights = weightSpecs('gru', 16, 'pixels:4').map((s) => ({ ...s, dtype: 'float32' }));
        }),
      ),
    ).toBe('ok gru-16 pixels:4');
    // Flags left out are false; reset_after is read for a GRU only.
    expect(message(edited((j) => delete rec(j).config.reset_after))).toBe('ok gru-16 rows');
    expect(message(edited((j) => delete rec(j).config.stateful))).toBe('ok gru-16 rows');
    expect(message(edited((j) => (rec(j).config.reset_after = true), 'rnn'))).toBe('ok rnn-16 rows');
    // The hidden size at both ends of its range.
    expect(message(withHidden(1))).toBe('ok gru-1 rows');
    expect(message(withHidden(1024))).toBe('ok gru-1024 rows');
  });

  it('refuses a file past the size bound, and takes one exactly at it', () => {
    const text = JSON.stringify(good.gru);
    expect(message(text.padEnd(MAX_MODEL_JSON_BYTES, ' '))).toBe('ok gru-16 rows');
    expect(MAX_MODEL_JSON_BYTES).toBe(65536);
    expect(message(text.padEnd(MAX_MODEL_JSON_BYTES + 1, ' '))).toBe('model.json: size is 65537 bytes; a model.json of this app is under 65536');
  });

  it('names what is wrong with the content, in full', () => {
    // A byte that is not UTF-8 inside a string: refused, not read as U+FFFD.
    const bad = encode(JSON.stringify(good.gru).replace('"Sequential"', '"Sequential", "x": "@"'));
    bad[bad.indexOf(0x40)] = 0xff;
    expect(message(bad)).toMatch(/^model\.json: content is not valid UTF-8 JSON \(.+\)$/);
    // The parser's own words are cut to 80 characters.
    const long = message('x'.repeat(500));
    expect(long).toMatch(/^model\.json: content is not valid UTF-8 JSON \(/);
    expect(long.length).toBeLessThanOrEqual('model.json: content is not valid UTF-8 JSON ()'.length + 80);
    expect(message('[]')).toBe('model.json: content is not a JSON object');
    expect(message(edited((j) => delete j.modelTopology))).toBe('model.json: modelTopology is missing');
    expect(message(edited((j) => (j.modelTopology.class_name = 'Model')))).toBe('model.json: modelTopology.class_name is "Model", expected "Sequential"');
    expect(message(edited((j) => delete j.modelTopology.class_name))).toBe('model.json: modelTopology.class_name is undefined, expected "Sequential"');
    // Values are shown whole up to 60 characters, then cut to 57 and an ellipsis.
    expect(message(edited((j) => (j.modelTopology.class_name = 'a'.repeat(58))))).toBe(
      `model.json: modelTopology.class_name is "${'a'.repeat(58)}", expected "Sequential"`,
    );
    expect(message(edited((j) => (j.modelTopology.class_name = 'a'.repeat(59))))).toBe(
      `model.json: modelTopology.class_name is "${'a'.repeat(56)}…, expected "Sequential"`,
    );
    expect(message(edited((j) => j.modelTopology.config.layers.pop()))).toBe(
      'model.json: modelTopology.config.layers must hold exactly two layers: a recurrent layer and a Dense head',
    );
  });

  it('names the recurrent layer’s field that is off, with what it is and what it should be', () => {
    expect(message(edited((j) => (j.modelTopology.config.layers[0] = 5)))).toBe('model.json: layers[0] is not a layer');
    expect(message(edited((j) => (rec(j).class_name = 'Conv1D')))).toBe('model.json: layers[0].class_name is "Conv1D", expected SimpleRNN, LSTM or GRU');
    expect(message(edited((j) => (rec(j).config.name = 'other')))).toBe('model.json: layers[0].config.name is "other", expected "recurrent"');
    expect(message(withHidden(0))).toBe('model.json: layers[0].config.units is 0, expected a whole number from 1 to 1024');
    expect(message(withHidden(1025))).toBe('model.json: layers[0].config.units is 1025, expected a whole number from 1 to 1024');
    expect(message(edited((j) => (rec(j).config.batch_input_shape = [null, 28, 27])))).toBe(
      'model.json: layers[0].config.batch_input_shape is [null,28,27], expected [null,28,28] for the read rows',
    );
    expect(message(edited((j) => (rec(j).config.reset_after = true)))).toBe('model.json: layers[0].config.reset_after is true, expected false');
    expect(message(edited((j) => (rec(j).config.go_backwards = true)))).toBe('model.json: layers[0].config.go_backwards is true, expected false');
  });

  it('names the head’s field that is off', () => {
    expect(message(edited((j) => (j.modelTopology.config.layers[1] = [])))).toBe('model.json: layers[1] is not a layer');
    expect(message(edited((j) => (head(j).class_name = 'Conv')))).toBe('model.json: layers[1].class_name is "Conv", expected "Dense"');
    expect(message(edited((j) => (head(j).config.units = 9)))).toBe('model.json: layers[1].config.units is 9, expected 10');
  });

  it('names the weight spec that is off', () => {
    expect(message(edited((j) => (j.weightsManifest = [])))).toBe('model.json: weightsManifest must be one group naming weights.bin');
    expect(message(edited((j) => (j.weightsManifest[0].paths = ['x.bin'])))).toBe(
      'model.json: weightsManifest[0].paths is ["x.bin"], expected ["./weights.bin"]',
    );
    expect(message(edited((j) => specs(j).pop()))).toBe('model.json: weightsManifest[0].weights must list exactly 5 weights');
    expect(message(edited((j) => ((specs(j) as unknown[])[0] = 7)))).toBe('model.json: weightsManifest[0].weights[0] is not a weight spec');
    expect(message(edited((j) => (specs(j)[1].name = 'w')))).toBe(
      'model.json: weightsManifest[0].weights[1].name is "w", expected "recurrent/recurrent_kernel"',
    );
    expect(message(edited((j) => (specs(j)[2].shape = [47])))).toBe('model.json: weightsManifest[0].weights[2].shape is [47], expected [48]');
    expect(message(edited((j) => (specs(j)[3].dtype = 'int32')))).toBe('model.json: weightsManifest[0].weights[3].dtype is "int32", expected "float32"');
  });

  it('takes only the read in the metadata, by name', () => {
    expect(message(edited((j) => (j.userDefinedMetadata = 5)))).toBe('model.json: userDefinedMetadata must be an object holding the read');
    expect(message(edited((j) => (j.userDefinedMetadata = { read: 'rows', colour: 'red' })))).toBe(
      'model.json: userDefinedMetadata.colour is not allowed: the metadata holds only the read',
    );
    expect(message(edited((j) => (j.userDefinedMetadata = { ['k'.repeat(100)]: 1 })))).toBe(
      `model.json: userDefinedMetadata.${'k'.repeat(40)} is not allowed: the metadata holds only the read`,
    );
    expect(message(edited((j) => (j.userDefinedMetadata = { read: 'diagonal' })))).toMatch(
      /^model\.json: userDefinedMetadata\.read "diagonal" is not a reading order: expected one of rows, /,
    );
  });
});

describe('weight sizes', () => {
  it('counts the bytes of every weight of a model, and names a size no model has', () => {
    // SimpleRNN-16 on rows: kernel 28×16, recurrent 16×16, bias 16, head 16×10 and 10, four bytes each.
    expect(weightBytes('rnn', 16)).toBe(4 * (28 * 16 + 16 * 16 + 16 + 16 * 10 + 10));
    // GRU-16 reading 4 pixels a step: three gate blocks of 16.
    expect(weightBytes('gru', 16, 'pixels:4')).toBe(4 * (4 * 48 + 16 * 48 + 48 + 16 * 10 + 10));
    expect(() => weightBytes('lstm', -1)).toThrow(/^no lstm--1 model exists$/);
    // An LSTM of −5 units reading 2 pixels a step adds up to exactly 0 bytes: no model either.
    expect(() => weightBytes('lstm', -5, 'pixels:2')).toThrow(/^no lstm--5 model exists$/);
    expect(() => weightBytes('rnn', 2 ** 40)).toThrow(/^no rnn-1099511627776 model exists$/);
  });

  it('bounds weights.bin by the largest model of any read: an LSTM-1024 reading 28 pixels a step', () => {
    expect(MAX_WEIGHT_BYTES).toBe(weightBytes('lstm', 1024, 'rows'));
    expect(MAX_WEIGHT_BYTES).toBeGreaterThan(weightBytes('lstm', 1024, 'pixels:1'));
  });
});
