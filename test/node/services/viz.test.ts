import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDispatch } from '../../../src/node/services/dispatch';
import type { HiddenMap } from '../../../src/shared/projection';
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
});
