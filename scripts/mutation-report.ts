/**
 * Turn Stryker's JSON reports (reports/mutation/<group>.json, written by `npm run mutate`) into
 * the committed report: docs/MUTATION.md (score per file, every surviving mutant) and
 * docs/mutation-summary.json. A surviving mutant that no test can kill because it behaves as the
 * original does is listed in docs/mutation-equivalent.json with a one-line reason; the report
 * marks those, and this script fails while any other mutant survives or any listed one no
 * longer exists. With --allow-survivors it writes the report, naming every mutant not yet
 * explained, and fails only for a listed one that no longer exists.
 *   node --import tsx scripts/mutation-report.ts [--allow-survivors] [reports/mutation/<group>.json …]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUPS } from '../stryker.config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const allowSurvivors = args.includes('--allow-survivors');
const inputs = args.filter((a) => !a.startsWith('--'));
/** Groups with no report yet: the report names them, and the script fails. */
const missing: string[] = [];
if (!inputs.length)
  for (const group of Object.keys(GROUPS)) {
    const file = join(root, 'reports', 'mutation', `${group}.json`);
    if (existsSync(file)) inputs.push(file);
    else missing.push(group);
  }

interface Position {
  line: number;
  column: number;
}
interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  location: { start: Position; end: Position };
  status: 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';
  static?: boolean;
  coveredBy?: string[];
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}
/** One equivalent mutant: where, what it changes, and why no test can tell it from the original. */
interface Equivalent {
  file: string;
  original: string;
  replacement: string;
  reason: string;
}

// The groups' reports together; a module tried in two of them counts once, as the later one found it.
const report: Report = { files: {} };
/** How long each group's last run took, as scripts/mutate.ts records it. */
const runs: Record<string, { minutes: number; incremental: boolean; finished: string; full: { minutes: number; finished: string } }> = {};
for (const group of Object.keys(GROUPS)) {
  const file = join(root, 'reports', 'mutation', `${group}.run.json`);
  if (existsSync(file)) runs[group] = JSON.parse(readFileSync(file, 'utf8')) as (typeof runs)[string];
}
for (const input of inputs) Object.assign(report.files, (JSON.parse(readFileSync(input, 'utf8')) as Report).files);
const equivalents = JSON.parse(readFileSync(join(root, 'docs', 'mutation-equivalent.json'), 'utf8')) as Equivalent[];

/** The source text a mutant replaces (lines and columns are 1-based; the end column is exclusive). */
function originalText(source: string, m: Mutant): string {
  const lines = source.split('\n');
  const { start, end } = m.location;
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  return [lines[start.line - 1].slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1].slice(0, end.column - 1)].join('\n');
}
const oneLine = (s: string, max = 90) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};
const cell = (s: string) => oneLine(s).replaceAll('|', '\\|').replaceAll('`', 'ˋ');

const DETECTED = ['Killed', 'Timeout'];
const UNDETECTED = ['Survived', 'NoCoverage'];

interface FileScore {
  file: string;
  mutants: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  equivalent: number;
  compileErrors: number;
  runtimeErrors: number;
  /** Detected / (detected + undetected), in percent, as Stryker counts it. */
  score: number;
  /** The same with the listed equivalent mutants left out of the count. */
  scoreWithoutEquivalent: number;
}

const used = new Set<Equivalent>();
const survivors: { file: string; line: number; mutator: string; original: string; replacement: string; status: string; reason: string | null }[] = [];
const rows: FileScore[] = [];

for (const [path, f] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const file = relative(root, join(root, path)).replaceAll('\\', '/');
  const count = (statuses: string[]) => f.mutants.filter((m) => statuses.includes(m.status)).length;
  let equivalent = 0;
  for (const m of f.mutants.filter((m) => UNDETECTED.includes(m.status)).sort((a, b) => a.location.start.line - b.location.start.line)) {
    const original = originalText(f.source, m);
    const replacement = m.replacement ?? '';
    const eq = equivalents.find((e) => e.file === file && e.original === oneLine(original, 1e9) && e.replacement === oneLine(replacement, 1e9));
    if (eq) {
      used.add(eq);
      equivalent++;
    }
    survivors.push({ file, line: m.location.start.line, mutator: m.mutatorName, original, replacement, status: m.status, reason: eq?.reason ?? null });
  }
  const detected = count(DETECTED);
  const undetected = count(UNDETECTED);
  const pct = (a: number, b: number) => (b ? Math.round((10000 * a) / b) / 100 : 100);
  rows.push({
    file,
    mutants: f.mutants.length,
    killed: count(['Killed']),
    timeout: count(['Timeout']),
    survived: count(['Survived']),
    noCoverage: count(['NoCoverage']),
    equivalent,
    compileErrors: count(['CompileError']),
    runtimeErrors: count(['RuntimeError']),
    score: pct(detected, detected + undetected),
    scoreWithoutEquivalent: pct(detected, detected + undetected - equivalent),
  });
}

const sum = (k: keyof FileScore) => rows.reduce((s, r) => s + (r[k] as number), 0);
const detected = sum('killed') + sum('timeout');
const undetected = sum('survived') + sum('noCoverage');
const total = {
  mutants: sum('mutants'),
  killed: sum('killed'),
  timeout: sum('timeout'),
  survived: sum('survived'),
  noCoverage: sum('noCoverage'),
  equivalent: sum('equivalent'),
  compileErrors: sum('compileErrors'),
  runtimeErrors: sum('runtimeErrors'),
  score: Math.round((10000 * detected) / (detected + undetected)) / 100,
  scoreWithoutEquivalent: Math.round((10000 * detected) / (detected + undetected - sum('equivalent'))) / 100,
};

const summary = {
  tool: 'StrykerJS (vitest runner, TypeScript checker, per-test coverage)',
  command: 'npm run mutate',
  total,
  files: rows,
  survivors: survivors.map((s) => ({ ...s, original: oneLine(s.original, 1e9), replacement: oneLine(s.replacement, 1e9) })),
};
writeFileSync(join(root, 'docs', 'mutation-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

const pct = (n: number) => `${n.toFixed(2)}%`;
const unexplained = survivors.filter((s) => !s.reason);
const md = [
  '# Mutation testing',
  '',
  'Generated by `npm run mutate` (StrykerJS with its vitest runner and TypeScript checker; per-test',
  'coverage; configuration in `stryker.config.mjs`, the order of the tests in `vitest.stryker.config.ts`).',
  'It is not part of `npm test` or CI. Stryker changes one small thing in the code at a time (a `<`',
  'for a `<=`, a `+` for a `-`, a condition for `true`, a string for `""`), runs the tests that cover',
  'it and counts the changed programs, the mutants, that no test fails on.',
  '',
  'Scope: the modules where a wrong number passes silently, in groups, each tried against its own',
  'tests only. `src/node/engine/viz/vizWorkerMain.ts` is left out: it runs only on its worker thread,',
  'where Stryker can neither record coverage nor switch a mutant on; its answers are checked against',
  'the same code on the calling thread in `test/node/engine/viz.test.ts`.',
  '',
  '| group | modules | tests | last run |',
  '| --- | --- | --- | --- |',
  ...Object.entries(GROUPS).map(([name, g]) => {
    const t = runs[name];
    const took = missing.includes(name)
      ? '**not run**: its modules are not in the counts below'
      : t
        ? `${t.full.minutes.toFixed(1)} min, ${t.full.finished.slice(0, 10)}${t.incremental ? `; then ${t.minutes.toFixed(1)} min incremental (only mutants whose code or tests changed), ${t.finished.slice(0, 10)}` : ''}`
        : 'unknown';
    return `| ${name} | ${g.mutate.map((m) => `\`${m}\``).join(', ')} | ${g.tests.map((m) => `\`${m.replace(/^test\//, '')}\``).join(', ')} | ${took} |`;
  }),
  '',
  'Score = mutants detected (a test failed, or the run timed out) ÷ (detected + survived + not covered).',
  'Mutants that do not compile are left out, as Stryker does. *Equivalent* mutants behave exactly as the',
  'original code does for every input the program can give them, so no test can detect them; each is',
  'listed below with its reason (`docs/mutation-equivalent.json`), and the last column leaves them out.',
  '',
  `**Overall${
    missing.length
      ? ` (groups run: ${Object.keys(GROUPS)
          .filter((g) => !missing.includes(g))
          .join(', ')})`
      : ''
  }: ${pct(total.score)}** (${pct(total.scoreWithoutEquivalent)} without the ${total.equivalent} equivalent mutants) — ${total.mutants} mutants: ${total.killed} killed, ${total.timeout} timed out, ${total.survived} survived, ${total.noCoverage} not covered, ${total.compileErrors} did not compile.`,
  '',
  '| file | mutants | killed | timed out | survived | not covered | equivalent | did not compile | score | without equivalent |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| \`${r.file}\` | ${r.mutants} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.equivalent} | ${r.compileErrors} | ${pct(r.score)} | ${pct(r.scoreWithoutEquivalent)} |`,
  ),
  `| **all** | ${total.mutants} | ${total.killed} | ${total.timeout} | ${total.survived} | ${total.noCoverage} | ${total.equivalent} | ${total.compileErrors} | **${pct(total.score)}** | **${pct(total.scoreWithoutEquivalent)}** |`,
  '',
  '## Surviving mutants',
  '',
  ...(unexplained.length
    ? [`${unexplained.length} of them are not explained: no test of that run killed them and they are not listed as equivalent.`, '']
    : []),
  survivors.length ? '| file:line | mutator | original | mutant | why it survives |' : 'None.',
  ...(survivors.length ? ['| --- | --- | --- | --- | --- |'] : []),
  ...survivors.map(
    (s) =>
      `| \`${s.file}:${s.line}\` | ${s.mutator}${s.status === 'NoCoverage' ? ' (not covered)' : ''} | \`${cell(s.original)}\` | \`${cell(s.replacement)}\` | ${s.reason ? `equivalent: ${s.reason}` : '**not explained**'} |`,
  ),
  '',
].join('\n');
writeFileSync(join(root, 'docs', 'MUTATION.md'), md);

const stale = equivalents.filter((e) => !used.has(e));
console.log(
  `mutation score ${pct(total.score)} (${pct(total.scoreWithoutEquivalent)} without equivalent mutants); wrote docs/MUTATION.md and docs/mutation-summary.json`,
);
for (const s of unexplained) console.error(`not explained: ${s.file}:${s.line} ${s.mutator}: ${oneLine(s.original)} → ${oneLine(s.replacement)}`);
for (const e of stale) console.error(`listed as equivalent but no longer surviving: ${e.file}: ${e.original} → ${e.replacement}`);
for (const g of missing) console.error(`group ${g} has no report: run npm run mutate -- ${g}`);
if (missing.length || stale.length || (unexplained.length && !allowSurvivors)) process.exit(1);
