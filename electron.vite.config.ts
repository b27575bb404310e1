import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          trainer: resolve('src/node/trainer/main.ts'),
          'kernel-worker': resolve('src/node/engine/kernels/workerMain.ts'),
          'eval-worker': resolve('src/node/engine/inference/evalWorker.ts'),
          'viz-worker': resolve('src/node/engine/viz/vizWorkerMain.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    resolve: { alias: { $shared: resolve('src/shared') } },
    plugins: [svelte()],
    build: {
      rollupOptions: { input: resolve('src/renderer/index.html') },
    },
  },
});
