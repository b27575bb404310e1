/**
 * Turn Stryker's JSON reports (reports/mutation/<group>.json, written by `npm run mutate`) into
 * the committed report: docs/MUTATION.md (score per file, every surviving mutant) and
 * docs/mutation-summary.json. A surviving mutant that no test can kill because it behaves as the
 * original does is listed in docs/mutation-equivalent.json with a one-line reason; the report
 * marks those, and this script fails while any other mutant survives or any listed one no
 * longer exists. With --allow-survivors it writes the report, naming every mutant not yet
 * explained, and fails only for a listed one that no longer exists.
 *
 * A group with no report of its own in reports/mutation keeps its results from the committed
 * summary, as long as its modules and test files are byte for byte those it was run on (the
 * summary keeps their SHA-256); otherwise it is named as not run, or as out of date, and the
 * script fails.
 *   node --import tsx scripts/mutation-report.ts [--allow-survivors]
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUPS } from '../stryker.config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const allowSurvivors = process.argv.includes('--allow-survivors');
const summaryFile = join(root, 'docs', 'mutation-summary.json');

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
  testsCompleted?: number;
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
interface Survivor {
  file: string;
  line: number;
  mutator: string;
  original: string;
  replacement: string;
  status: string;
  reason: string | null;
}
/** How long a group's last run took, as scripts/mutate.ts records it. */
interface Run {
  minutes: number;
  incremental: boolean;
  finished: string;
  full: { minutes: number; finished: string };
}
/** One group's results, as the committed summary keeps them. */
interface GroupResult {
  run: Run | null;
  /** SHA-256 of each module and test file the group was run on. */
  sources: Record<string, string>;
  files: FileScore[];
  survivors: Survivor[];
}

const sha = (path: string) =>
  createHash('sha256')
    .update(readFileSync(join(root, path)))
    .digest('hex');
/** The files a group's patterns name: plain paths, `dir/*.ts` and `!path` exclusions. */
function expand(patterns: string[]): string[] {
  const out = new Set<string>();
  for (const p of patterns.filter((p) => !p.startsWith('!'))) {
    const star = p.lastIndexOf('*');
    if (star < 0) out.add(p);
    else {
      const dir = p.slice(0, p.lastIndexOf('/')),
        suffix = p.slice(star + 1);
      for (const f of readdirSync(join(root, dir))) if (f.endsWith(suffix)) out.add(`${dir}/${f}`);
    }
  }
  for (const p of patterns.filter((p) => p.startsWith('!'))) out.delete(p.slice(1));
  return [...out].sort();
}
const sourcesOf = (name: string) =>
  Object.fromEntries([...expand(GROUPS[name].mutate), ...GROUPS[name].tests].map((f) => [f, existsSync(join(root, f)) ? sha(f) : 'missing']));

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
const pct = (n: number) => `${n.toFixed(2)}%`;
const percent = (a: number, b: number) => (b ? Math.round((10000 * a) / b) / 100 : 100);

const DETECTED = ['Killed', 'Timeout'];
const UNDETECTED = ['Survived', 'NoCoverage'];
const equivalents = JSON.parse(readFileSync(join(root, 'docs', 'mutation-equivalent.json'), 'utf8')) as Equivalent[];
const reasonOf = (file: string, original: string, replacement: string) =>
  equivalents.find((e) => e.file === file && e.original === oneLine(original, 1e9) && e.replacement === oneLine(replacement, 1e9))?.reason ?? null;

/**
 * A static mutant (one that runs while its module loads) reported as surviving with no test
 * completed made its module throw on import: every test file of the group failed to load, and
 * Stryker's vitest runner counts a file that fails to load as no tests, not as failing ones. It is
 * counted as killed.
 */
const brokeLoading = (m: Mutant) => m.status === 'Survived' && m.static === true && m.testsCompleted === 0;

/** A group's results from Stryker's report of a run just made. */
function fromReport(report: Report, run: Run | null, sources: Record<string, string>): GroupResult {
  const files: FileScore[] = [];
  const survivors: Survivor[] = [];
  for (const [path, f] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    const file = relative(root, join(root, path)).replaceAll('\\', '/');
    for (const m of f.mutants) if (brokeLoading(m)) m.status = 'Killed';
    const count = (statuses: string[]) => f.mutants.filter((m) => statuses.includes(m.status)).length;
    let equivalent = 0;
    for (const m of f.mutants.filter((m) => UNDETECTED.includes(m.status)).sort((a, b) => a.location.start.line - b.location.start.line)) {
      const original = oneLine(originalText(f.source, m), 1e9);
      const replacement = oneLine(m.replacement ?? '', 1e9);
      const reason = reasonOf(file, original, replacement);
      if (reason) equivalent++;
      survivors.push({ file, line: m.location.start.line, mutator: m.mutatorName, original, replacement, status: m.status, reason });
    }
    const detected = count(DETECTED),
      undetected = count(UNDETECTED);
    files.push({
      file,
      mutants: f.mutants.length,
      killed: count(['Killed']),
      timeout: count(['Timeout']),
      survived: count(['Survived']),
      noCoverage: count(['NoCoverage']),
      equivalent,
      compileErrors: count(['CompileError']),
      runtimeErrors: count(['RuntimeError']),
      score: percent(detected, detected + undetected),
      scoreWithoutEquivalent: percent(detected, detected + undetected - equivalent),
    });
  }
  return { run, sources, files, survivors };
}

// Each group: from a run just made, else from the committed summary while its files are unchanged.
const previous = existsSync(summaryFile) ? ((JSON.parse(readFileSync(summaryFile, 'utf8')) as { groups?: Record<string, GroupResult> }).groups ?? {}) : {};
const groups: Record<string, GroupResult> = {};
const missing: string[] = [];
const outdated: string[] = [];
for (const name of Object.keys(GROUPS)) {
  const file = join(root, 'reports', 'mutation', `${name}.json`);
  const runFile = join(root, 'reports', 'mutation', `${name}.run.json`);
  const sources = sourcesOf(name);
  if (existsSync(file)) {
    const run = existsSync(runFile) ? (JSON.parse(readFileSync(runFile, 'utf8')) as Run) : null;
    groups[name] = fromReport(JSON.parse(readFileSync(file, 'utf8')) as Report, run, sources);
  } else if (!previous[name]) missing.push(name);
  else if (JSON.stringify(previous[name].sources) !== JSON.stringify(sources)) outdated.push(name);
  else {
    // Kept as run; the reasons are read again, so an explanation added since is shown.
    const kept = previous[name];
    groups[name] = { ...kept, survivors: kept.survivors.map((s) => ({ ...s, reason: reasonOf(s.file, s.original, s.replacement) })) };
  }
}

const rows = Object.values(groups)
  .flatMap((g) => g.files)
  .sort((a, b) => a.file.localeCompare(b.file));
const survivors = Object.values(groups)
  .flatMap((g) => g.survivors)
  .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
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
  score: percent(detected, detected + undetected),
  scoreWithoutEquivalent: percent(detected, detected + undetected - sum('equivalent')),
};
// An out-of-date group's last results stay in the summary (not counted) until it is run again.
const kept = { ...groups, ...Object.fromEntries(outdated.map((name) => [name, previous[name]])) };
writeFileSync(
  summaryFile,
  `${JSON.stringify({ tool: 'StrykerJS (vitest runner, TypeScript checker, per-test coverage)', command: 'npm run mutate', total, files: rows, survivors, groups: kept }, null, 2)}\n`,
);

const unexplained = survivors.filter((s) => !s.reason);
const absent = [...missing, ...outdated];
const took = (name: string) => {
  if (missing.includes(name)) return '**not run**: its modules are not in the counts below';
  if (outdated.includes(name)) return '**out of date**: its modules or tests changed since its last run, which is left out of the counts below';
  const t = groups[name].run;
  if (!t) return 'unknown';
  return `${t.full.minutes.toFixed(1)} min, ${t.full.finished.slice(0, 10)}${t.incremental ? `; then ${t.minutes.toFixed(1)} min incremental (only mutants whose code or tests changed), ${t.finished.slice(0, 10)}` : ''}`;
};
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
  'the same code on the calling thread in `test/node/engine/viz.test.ts` and `occlusion.test.ts`. The',
  "maps' arithmetic (group projection) is tried against its own tests, not the maps' tests: those run",
  'it over thousands of states, which takes minutes per mutant once its loops are instrumented. A group',
  'keeps the results of its last run while its modules and test files are unchanged',
  '(`docs/mutation-summary.json` keeps their SHA-256), so one group can be run again alone.',
  '',
  '| group | modules | tests | last run |',
  '| --- | --- | --- | --- |',
  ...Object.entries(GROUPS).map(
    ([name, g]) =>
      `| ${name} | ${g.mutate.map((m) => `\`${m}\``).join(', ')} | ${g.tests.map((m) => `\`${m.replace(/^test\//, '')}\``).join(', ')} | ${took(name)} |`,
  ),
  '',
  'Score = mutants detected (a test failed, or the run timed out) ÷ (detected + survived + not covered).',
  'A mutant that runs while its module loads and makes the module throw fails every test file of its group,',
  "which Stryker's vitest runner reports as a survivor that completed no test; it is counted as killed.",
  'Mutants that do not compile are left out, as Stryker does. *Equivalent* mutants behave exactly as the',
  'original code does for every input the program can give them, so no test can detect them; each is',
  'listed below with its reason (`docs/mutation-equivalent.json`), and the last column leaves them out.',
  "A few listed mutants are not strictly equivalent but could not be seen from outside: a mark on a page's",
  'unread bytes moved by one byte (no client can hit it exactly) or the low mark dropped; an error',
  'listener whose absence 200 resets inside the handshake did not reveal; rounding of order 1e-16 (a',
  'symmetric matrix averaged with its transpose); and differences below the power iteration’s 1e-9',
  'tolerance (when it stops once settled). Their reason begins "not observable".',
  '',
  `**Overall${absent.length ? ` (groups counted: ${Object.keys(groups).join(', ')})` : ''}: ${pct(total.score)}** (${pct(total.scoreWithoutEquivalent)} without the ${total.equivalent} equivalent mutants) — ${total.mutants} mutants: ${total.killed} killed, ${total.timeout} timed out, ${total.survived} survived, ${total.noCoverage} not covered, ${total.compileErrors} did not compile.`,
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

// A listed equivalent that no counted group's mutant matches any more: the code changed under it.
const counted = new Set(rows.map((r) => r.file));
const stale = equivalents.filter(
  (e) => counted.has(e.file) && !survivors.some((s) => s.file === e.file && s.original === e.original && s.replacement === e.replacement),
);
console.log(
  `mutation score ${pct(total.score)} (${pct(total.scoreWithoutEquivalent)} without equivalent mutants); wrote docs/MUTATION.md and docs/mutation-summary.json`,
);
for (const s of unexplained) console.error(`not explained: ${s.file}:${s.line} ${s.mutator}: ${oneLine(s.original)} → ${oneLine(s.replacement)}`);
for (const e of stale) console.error(`listed as equivalent but no longer surviving: ${e.file}: ${e.original} → ${e.replacement}`);
for (const g of missing) console.error(`group ${g} has no report: run npm run mutate -- ${g}`);
for (const g of outdated) console.error(`group ${g} changed since its last run: run npm run mutate -- ${g}`);
if (absent.length || stale.length || (unexplained.length && !allowSurvivors)) process.exit(1);
