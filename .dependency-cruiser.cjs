/**
 * The layers and who may import whom, as data. Imports only go down:
 * renderer → shared; preload → shared (+ electron); main → node → shared.
 * `npm run lint:layers` fails the build on any import that crosses a line.
 */
const layer = (name) => `^src/${name}/`;

module.exports = {
  forbidden: [
    {
      name: 'shared-is-pure',
      comment: 'src/shared is plain TypeScript: nothing of ours outside shared, no Node built-ins, no Electron.',
      severity: 'error',
      from: { path: layer('shared') },
      to: { pathNot: [layer('shared'), '^node_modules/'] },
    },
    {
      name: 'shared-no-node',
      severity: 'error',
      from: { path: layer('shared') },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-no-electron',
      severity: 'error',
      from: { path: layer('shared') },
      to: { path: '^node_modules/electron/' },
    },
    {
      name: 'node-not-electron',
      comment: 'src/node runs in plain Node (web mode, CLI, trainer): no electron, no src/main, no renderer or preload.',
      severity: 'error',
      from: { path: layer('node') },
      to: { path: ['^node_modules/electron/', layer('main'), layer('renderer'), layer('preload')] },
    },
    {
      name: 'main-not-ui',
      severity: 'error',
      from: { path: layer('main') },
      to: { path: [layer('renderer'), layer('preload')] },
    },
    {
      name: 'preload-only-shared',
      comment: 'The sandboxed preload sees only shared (and electron).',
      severity: 'error',
      from: { path: layer('preload') },
      to: { path: [layer('node'), layer('main'), layer('renderer')] },
    },
    {
      name: 'preload-no-schema-library',
      comment: 'The preload is bundled alone into a sandbox; it must not pull in zod.',
      severity: 'error',
      from: { path: layer('preload') },
      to: { path: '^node_modules/zod/' },
    },
    {
      name: 'renderer-only-shared',
      comment: 'The renderer imports only shared (and browser packages).',
      severity: 'error',
      from: { path: layer('renderer') },
      to: { path: [layer('node'), layer('main'), layer('preload')] },
    },
    {
      name: 'renderer-no-node',
      severity: 'error',
      from: { path: layer('renderer') },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-no-electron',
      severity: 'error',
      from: { path: layer('renderer') },
      to: { path: '^node_modules/electron/' },
    },
    // Inside the engine, sub-packages by job, each seeing only those below it:
    // data, model  <  kernels  <  inference  <  training, viz. Settings and backend choice are seen by all.
    {
      name: 'engine-data-alone',
      comment: 'engine/data reads datasets: nothing else of the engine.',
      severity: 'error',
      from: { path: '^src/node/engine/data/' },
      to: { path: '^src/node/engine/(model|kernels|inference|training|viz)/' },
    },
    {
      name: 'engine-model-below-compute',
      comment: 'engine/model builds, checks, saves and loads models; it runs none.',
      severity: 'error',
      from: { path: '^src/node/engine/model/' },
      to: { path: '^src/node/engine/(kernels|inference|training|viz)/' },
    },
    {
      name: 'engine-kernels-below-use',
      comment: 'engine/kernels is the WebAssembly runtime; it knows weights, not how they are trained or read.',
      severity: 'error',
      from: { path: '^src/node/engine/kernels/' },
      to: { path: '^src/node/engine/(data|inference|training|viz)/' },
    },
    {
      name: 'engine-inference-below-training',
      severity: 'error',
      from: { path: '^src/node/engine/inference/' },
      to: { path: '^src/node/engine/(training|viz)/' },
    },
    {
      name: 'engine-training-and-viz-apart',
      comment: 'Training hands weights to the map through training by callback, not by import.',
      severity: 'error',
      from: { path: '^src/node/engine/(training|viz)/' },
      to: { path: '^src/node/engine/(training|viz)/', pathNot: '^src/node/engine/$1/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/node/engine/kernels/assembly/' },
    tsPreCompilationDeps: true,
    // tsconfig.web.json: its paths resolve the renderer's $shared alias; relative imports resolve alike under either.
    tsConfig: { fileName: 'tsconfig.web.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.svelte'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
