/**
 * The tests `npm run mutate` runs against each mutant (see stryker.config.mjs and docs/MUTATION.md):
 * those of the modules it mutates, each module's own tests before the tests that merely import it,
 * in this order: a mutant run that needs every related file (a mutant that runs while a module
 * loads or in a beforeAll) stops at the first failure, usually in the fast, dedicated test.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';
import base from './vitest.config';
import { groupsOf } from './stryker.config.mjs';

export const MUTATION_TESTS = [
  'test/node/trainer/protocol.test.ts',
  'test/shared/training.test.ts',
  'test/shared/presets.test.ts',
  'test/node/engine/dataset.test.ts',
  'test/node/engine/evaluate.test.ts',
  'test/shared/preprocess.test.ts',
  'test/node/engine/modelFormat.test.ts',
  'test/node/engine/hostileModels.test.ts',
  'test/node/web/web.test.ts',
  'test/node/web/attacks.test.ts',
  'test/node/web/bounds.test.ts',
  'test/node/web/answers.test.ts',
  'test/node/engine/vizMath.test.ts',
  'test/node/engine/occlusion.test.ts',
  'test/node/engine/vizParts.test.ts',
  'test/node/engine/vizWorkerFaults.test.ts',
  'test/node/engine/viz.test.ts',
  'test/node/engine/vizQueue.test.ts',
  'test/node/engine/schedule.test.ts',
];

class InListedOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = MUTATION_TESTS.indexOf(relative(process.cwd(), f.moduleId).replaceAll('\\', '/'));
      return i < 0 ? MUTATION_TESTS.length : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

// The project's settings with this list of files in place of its own (mergeConfig would add the two lists together),
// and more time per test: the dry run counts every statement a test executes, which makes the
// preprocessing round trip over 1,000 digits on a 280×280 canvas take minutes on a busy machine.
// Only the tests of the group a run tries (MUTATE_GROUP; see stryker.config.mjs).
const include = groupsOf(process.env.MUTATE_GROUP).flatMap((g) => g.tests);
export default defineConfig({ test: { ...base.test, include, testTimeout: 900_000, sequence: { sequencer: InListedOrder } } });
