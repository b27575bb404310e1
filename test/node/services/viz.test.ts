import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDispatch } from '../../../src/node/services/dispatch';
import type { HiddenMap } from '../../../src/shared/projection';
import type { GradientThroughTime } from '../../../src/shared/contract';
import { makeServices } from '../fixtures';
import { mnistSlice } from '../../helpers';
import { imageAt } from '../../../src/node/engine/data/dataset';

describe('viz service', () => {
  it('fits a version’s map once, caches it in the user data folder, and a fresh start reads the cache', async () => {
    const { services, userData } = await makeServices({ hidden: 12 });
    const dispatch = createDispatch(services);
    try {
      const r = await dispatch('viz:map', {});
      expect(r.ok).toBe(true);
      const map = (r as { value: HiddenMap }).value;
      expect(map.modelId).toBe('v0001');
      expect(map.landmarks.length).toBe(2 * map.labels.length);
      expect(map.mean.length).toBe(12);
      const cached = readdirSync(join(userData, 'maps'));
      expect(cached).toEqual([`${map.key}.json`]);
      // Same map object from memory; a new service over the same folder reads the file.
      expect(await services.viz.map('v0001')).toBe(map);
      const { VizService } = await import('../../../src/node/services/viz');
      const again = new VizService(services.store, services.active, '/nonexistent-dataset', join(userData, 'maps'));
      const fromDisk = await again.map();
      expect(Array.from(fromDisk.landmarks)).toEqual(Array.from(map.landmarks));
      expect(fromDisk.unitOrder).toEqual(map.unitOrder);
      await again.close();
      expect(existsSync(join(userData, 'maps', `${map.key}.json`))).toBe(true);
    } finally {
      await services.viz.close();
    }
  });

  it('deletes a version’s cached maps with the version, on disk and in memory', async () => {
    const { services, userData } = await makeServices({ hidden: 12 });
    const dispatch = createDispatch(services);
    try {
      const first = ((await dispatch('viz:map', {})) as { value: HiddenMap }).value;
      const { createModel } = await import('../../../src/node/engine/model/model');
      const v2 = await services.store.save(createModel({ cell: 'rnn', hidden: 12, seed: 3 }), { ...services.store.list()[0].manifest, command: 'second' });
      await services.active.activate(v2.id);
      const second = ((await dispatch('viz:map', {})) as { value: HiddenMap }).value;
      expect(readdirSync(join(userData, 'maps')).sort()).toEqual([`${first.key}.json`, `${second.key}.json`].sort());
      expect(await dispatch('models:delete', { id: 'v0001' })).toMatchObject({ ok: true });
      expect(readdirSync(join(userData, 'maps'))).toEqual([`${second.key}.json`]);
      expect(await services.viz.map('v0002')).toBe(second);
    } finally {
      await services.viz.close();
    }
  });

  it('traces any version for the side-by-side view and answers row importance', async () => {
    const { services } = await makeServices({ hidden: 12 });
    const dispatch = createDispatch(services);
    const ds = await mnistSlice(1, 2);
    const pixels = Array.from(imageAt(ds.test, 1));
    try {
      const a = await dispatch('viz:trace', { id: 'v0001', pixels });
      const b = await dispatch('model:trace', { pixels });
      expect(a.ok && b.ok).toBe(true);
      expect(Array.from((a as { value: { probs: Float32Array } }).value.probs)).toEqual(Array.from((b as { value: { probs: Float32Array } }).value.probs));
      const missing = await dispatch('viz:trace', { id: 'v0042', pixels });
      expect(missing).toMatchObject({ ok: false });
      const imp = await dispatch('viz:importance', { pixels });
      expect(imp.ok).toBe(true);
      expect((imp as { value: { drops: number[] } }).value.drops).toHaveLength(28);
    } finally {
      await services.viz.close();
    }
  });

  it('answers the gradient through time of a drawing for the active model and for a long-read version, and names a bad label', async () => {
    const { services } = await makeServices({ hidden: 12 });
    const dispatch = createDispatch(services);
    const ds = await mnistSlice(1, 2);
    const pixels = Array.from(imageAt(ds.test, 0));
    try {
      const r = await dispatch('viz:gradient', { pixels });
      expect(r.ok).toBe(true);
      const g = (r as { value: GradientThroughTime & { modelId: string } }).value;
      expect(g).toMatchObject({ modelId: 'v0001', cell: 'rnn', hidden: 12, read: 'rows', steps: 28, of: 'prediction' });
      expect(g.norms).toBeInstanceOf(Float32Array);
      expect(g.norms.length).toBe(28);
      const { createModel } = await import('../../../src/node/engine/model/model');
      const long = await services.store.save(
        createModel({ cell: 'gru', hidden: 12, seed: 3, read: 'pixels:4' }),
        { ...services.store.list()[0].manifest, cell: 'gru', command: 'long read' },
        { activate: false },
      );
      expect(long.manifest.read).toBe('pixels:4');
      const l = await dispatch('viz:gradient', { pixels, id: long.id, label: 7 });
      expect(l).toMatchObject({ ok: true, value: { modelId: long.id, cell: 'gru', read: 'pixels:4', steps: 196, label: 7, of: 'label' } });
      expect((l as { value: GradientThroughTime }).value.norms.length).toBe(196);
      expect(await dispatch('viz:gradient', { pixels, label: 12 })).toMatchObject({
        ok: false,
        error: expect.stringMatching(/label: label must be a digit 0-9/),
      });
      expect(
        await dispatch('train:start', { mode: 'scratch', cell: 'gru', hidden: 8, epochs: 1, learningRate: 0.01, batchSize: 32, limit: 64, read: 'spiral' }),
      ).toMatchObject({
        ok: false,
        error: expect.stringMatching(/read: "spiral" is not a reading order: expected one of rows, cols, rows-reversed, pixels:14/),
      });
    } finally {
      await services.viz.close();
      await services.active.tracing.close();
    }
  });
});
