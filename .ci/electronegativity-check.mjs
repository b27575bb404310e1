// The electronegativity gate: read the report .ci/electronegativity-scan.mjs wrote and fail
// unless the scan ran to the end, parsed every file it listed, and parsed every source of the
// main process, the preload script and the renderer that the tool can read (.svelte files it
// cannot) without error; then fail on any HIGH finding.
// Usage: node .ci/electronegativity-check.mjs REPORT.json
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folders whose sources must all be in the report, relative to the repository root. */
export const REQUIRED_DIRS = ['src/main', 'src/preload', 'src/renderer'];
/** What the tool parses (see its list_files); anything else there it skips. */
const SCANNABLE = /\.(js|jsx|ts|tsx|html|htm)$/;

/** Every file under REQUIRED_DIRS that the tool can parse, relative to `root`. */
export function requiredFiles(root = process.cwd()) {
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (SCANNABLE.test(e.name)) out.push(p);
    }
  };
  for (const d of REQUIRED_DIRS) if (existsSync(join(root, d))) walk(d);
  return out.sort();
}

/**
 * What is wrong with a report: an empty list means it passes. `required` must be non-empty
 * and include an entry point of each of main, preload and renderer.
 */
export function checkReport(report, required) {
  const problems = [];
  if (!report || typeof report !== 'object' || Array.isArray(report)) return ['the report is not a JSON object'];
  if (report.finished !== true) problems.push('the scan did not run to the end (no "finished": true)');
  const scanned = Array.isArray(report.scanned) ? report.scanned : null;
  const listed = Array.isArray(report.listed) ? report.listed : null;
  if (!scanned || scanned.length === 0) problems.push('the report lists no scanned files');
  if (!listed || listed.length === 0) problems.push('the report lists no files to scan');
  if (!Array.isArray(report.issues)) problems.push('the report has no list of findings');
  if (!Array.isArray(report.errors)) problems.push('the report has no list of parse errors');
  for (const dir of REQUIRED_DIRS)
    if (!required.some((f) => f.startsWith(`${dir}/`)))
      problems.push(`no sources under ${dir} were found to require (is the gate run from the repository root?)`);
  if (problems.length) return problems;

  const seen = new Set(scanned);
  const unscanned = listed.filter((f) => !seen.has(f));
  if (unscanned.length) problems.push(`${unscanned.length} listed files were never scanned: ${unscanned.slice(0, 5).join(', ')}`);
  const missing = required.filter((f) => !seen.has(f));
  if (missing.length) problems.push(`${missing.length} sources were not scanned: ${missing.slice(0, 5).join(', ')}`);
  const broken = report.errors.filter((e) => !e.tolerable && required.includes(e.file));
  for (const e of broken) problems.push(`${e.file} could not be parsed: ${e.message}`);
  const high = report.issues.filter((i) => i.severity === 'HIGH');
  for (const i of high) problems.push(`HIGH finding ${i.id} in ${i.file} at ${i.location}: ${i.description}`);
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  let report = null;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`electronegativity: no readable report at ${file}: ${err.message}`);
    process.exit(1);
  }
  const required = requiredFiles();
  const problems = checkReport(report, required);
  const issues = Array.isArray(report?.issues) ? report.issues : [];
  const scanned = Array.isArray(report?.scanned) ? report.scanned.length : 0;
  console.log(
    `electronegativity: ${scanned} files scanned, ${required.length} sources of main, preload and renderer required; ${issues.length} findings, ${issues.filter((i) => i.severity === 'HIGH').length} HIGH`,
  );
  for (const i of issues) console.log(`  ${i.id} ${i.severity} ${i.confidence} ${i.file} ${i.location}`);
  if (problems.length) {
    for (const p of problems) console.error(`  FAIL: ${p}`);
    process.exit(1);
  }
}
