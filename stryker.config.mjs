// @ts-check
/**
 * Mutation testing of the modules where a wrong number passes silently: `npm run mutate`
 * (about half an hour on two cores; not part of CI). Report: docs/MUTATION.md.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.node.json',
  coverageAnalysis: 'perTest',
  concurrency: 2,
  mutate: [
    'src/shared/preprocess.ts',
    'src/shared/projection.ts',
    'src/shared/training.ts',
    'src/node/engine/viz/*.ts',
    // Runs only on its worker thread, where Stryker can neither see coverage nor switch a mutant on.
    '!src/node/engine/viz/vizWorkerMain.ts',
    'src/node/engine/inference/evaluate.ts',
    'src/node/engine/data/dataset.ts',
    'src/node/engine/model/format.ts',
    'src/node/web/server.ts',
    'src/node/trainer/protocol.ts',
  ],
  ignorePatterns: ['out', 'dist', 'test-results', 'bench/results', 'reports', '.scratch', '.cache'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  dryRunTimeoutMinutes: 30,
  timeoutMS: 10000,
  reporters: ['progress', 'clear-text', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 90, low: 80, break: 80 },
};
