/**
 * `npm run mutate`: mutation testing of the modules listed in stryker.config.mjs, group by
 * group (each against its own tests), then the committed report (scripts/mutation-report.ts).
 *   npm run mutate                          every group, from scratch
 *   npm run mutate -- viz web               only these groups; the others' last reports stay
 *   npm run mutate -- --incremental         reuse the last results of mutants whose code and tests are unchanged
 *   npm run mutate -- --allow-survivors     write the report even while a surviving mutant is not explained
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUPS } from '../stryker.config.mjs';
import { MUTATION_TESTS } from '../vitest.stryker.config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('--'));
for (const n of names) if (!Object.hasOwn(GROUPS, n)) throw new Error(`${n}: no such group (${Object.keys(GROUPS).join(', ')})`);
const unlisted = Object.values(GROUPS)
  .flatMap((g) => g.tests)
  .filter((t) => !MUTATION_TESTS.includes(t));
if (unlisted.length) throw new Error(`add ${unlisted.join(', ')} to MUTATION_TESTS in vitest.stryker.config.ts`);

const strykerArgs = args.filter((a) => a === '--incremental');
for (const name of names.length ? names : Object.keys(GROUPS)) {
  const started = Date.now();
  console.log(`mutate: group ${name}`);
  // Stryker keeps an incremental file only from runs made with --incremental; its JSON report has the same form,
  // so the group's last report serves when that file is missing.
  const last = join(root, 'reports', 'mutation', `${name}.json`);
  const previous = join(root, 'reports', 'mutation', `${name}.incremental.json`);
  if (strykerArgs.includes('--incremental') && !existsSync(previous) && existsSync(last)) copyFileSync(last, previous);
  const r = spawnSync('npx', ['stryker', 'run', ...strykerArgs], { cwd: root, stdio: 'inherit', env: { ...process.env, MUTATE_GROUP: name } });
  const minutes = (Date.now() - started) / 60_000;
  console.log(`mutate: group ${name} took ${minutes.toFixed(1)} min`);
  if (r.status !== 0) process.exit(r.status ?? 1);
  const file = join(root, 'reports', 'mutation', `${name}.run.json`);
  const incremental = strykerArgs.includes('--incremental') && existsSync(file);
  // An incremental run keeps the time of the last full one.
  const full = incremental ? (JSON.parse(readFileSync(file, 'utf8')) as { full: object }).full : { minutes, finished: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify({ minutes, incremental, finished: new Date().toISOString(), full })}\n`);
}
const report = spawnSync('node', ['--import', 'tsx', 'scripts/mutation-report.ts', ...args.filter((a) => a === '--allow-survivors')], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(report.status ?? 1);
