import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
const { DebugLogger } = require(require.resolve('builder-util', { paths: [require.resolve('app-builder-lib')] }));

describe('electron-builder configuration', () => {
  it('passes electron-builder’s own schema validation', async () => {
    const config = await getConfig(process.cwd(), 'electron-builder.yml', null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.asarUnpack).toContain('node_modules/@tensorflow/tfjs-node/**');
    expect(config.extraResources.map((r: { to: string }) => r.to).sort()).toEqual(['mnist', 'model', 'model-gru']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toBe('nsis');
    expect(config.mac.target).toBe('dmg');
    expect(existsSync(config.icon)).toBe(true);
    // Worker threads start from files, so those must be outside the archive.
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['out/main/*-worker.js', 'out/main/chunks/**']));
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });

  it('keeps tfjs-node optional and electron free of an install-time download', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.optionalDependencies['@tensorflow/tfjs-node']).toBeDefined();
    expect(pkg.dependencies['@tensorflow/tfjs-node']).toBeUndefined();
    const electron = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8'));
    expect(electron.scripts?.postinstall).toBeUndefined();
  });
});
