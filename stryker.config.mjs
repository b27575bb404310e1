// @ts-check
/**
 * Mutation testing of the modules where a wrong number passes silently: `npm run mutate`
 * (scripts/mutate.ts; not part of CI). Report: docs/MUTATION.md.
 *
 * The modules are tried in groups, each against its own tests only: a mutant that runs while
 * a module loads (a constant, a schema) makes Stryker run every test related to the module,
 * and for a module that nearly every test imports (the dataset reader, the model format)
 * that is minutes per mutant. MUTATE_GROUP names the group a run tries (all of them unset).
 */

/** @typedef {{ mutate: string[]; tests: string[] }} Group */

/** @type {Record<string, Group>} */
export const GROUPS = {
  shared: {
    mutate: ['src/shared/preprocess.ts', 'src/shared/training.ts'],
    tests: ['test/shared/preprocess.test.ts', 'test/shared/training.test.ts', 'test/shared/presets.test.ts', 'test/node/engine/schedule.test.ts'],
  },
  data: {
    mutate: ['src/node/engine/data/dataset.ts', 'src/node/engine/inference/evaluate.ts', 'src/node/engine/model/format.ts', 'src/node/trainer/protocol.ts'],
    tests: [
      'test/node/trainer/protocol.test.ts',
      'test/node/engine/dataset.test.ts',
      'test/node/engine/evaluate.test.ts',
      'test/node/engine/modelFormat.test.ts',
      'test/node/engine/hostileModels.test.ts',
    ],
  },
  web: {
    mutate: ['src/node/web/server.ts'],
    tests: ['test/node/web/web.test.ts', 'test/node/web/attacks.test.ts', 'test/node/web/bounds.test.ts', 'test/node/web/answers.test.ts'],
  },
  // The map's arithmetic against its own tests only: the maps' tests run it over thousands of
  // states, which takes minutes per mutant once its loops are instrumented.
  projection: {
    mutate: ['src/shared/projection.ts', 'src/node/engine/viz/pca.ts', 'src/node/engine/viz/lda.ts', 'src/node/engine/viz/occlusion.ts'],
    tests: ['test/node/engine/vizMath.test.ts', 'test/node/engine/occlusion.test.ts'],
  },
  maps: {
    mutate: [
      'src/node/engine/viz/hiddenMap.ts',
      'src/node/engine/viz/trainingMap.ts',
      // vizWorkerMain.ts is left out: it runs only on its worker thread, where Stryker can neither see coverage nor switch a mutant on.
      'src/node/engine/viz/vizWorker.ts',
    ],
    tests: [
      'test/node/engine/vizParts.test.ts',
      'test/node/engine/vizWorkerFaults.test.ts',
      'test/node/engine/viz.test.ts',
      'test/node/engine/vizQueue.test.ts',
    ],
  },
};

const name = process.env.MUTATE_GROUP;
/** The groups a run tries: the one MUTATE_GROUP names, or all of them. */
export function groupsOf(/** @type {string | undefined} */ name) {
  if (name !== undefined && !Object.hasOwn(GROUPS, name)) throw new Error(`MUTATE_GROUP ${name}: no such group (${Object.keys(GROUPS).join(', ')})`);
  return name === undefined ? Object.values(GROUPS) : [GROUPS[name]];
}
const groups = groupsOf(name);
const report = name ?? 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.node.json',
  coverageAnalysis: 'perTest',
  concurrency: 2,
  mutate: groups.flatMap((g) => g.mutate),
  // The group's tests are chosen in vitest.stryker.config.ts, not with `testFiles`: with testFiles,
  // Stryker 9.6 switches a static mutant on (one that runs while a module loads, such as a schema)
  // only after its module has loaded, so every static mutant survived
  // (stryker-mutator/stryker-js#6144).
  ignorePatterns: ['out', 'dist', 'test-results', 'bench/results', 'reports', '.scratch', '.cache'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  dryRunTimeoutMinutes: 30,
  timeoutMS: 10000,
  reporters: ['progress-append-only', 'clear-text', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${report}.json` },
  htmlReporter: { fileName: `reports/mutation/${report}.html` },
  incrementalFile: `reports/mutation/${report}.incremental.json`,
  thresholds: { high: 90, low: 80, break: null },
};
