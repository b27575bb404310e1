// Run electronegativity over a source folder and write a JSON report that says what it did:
// the files the tool listed, every file it actually parsed, parse errors, the findings, and
// `finished: true` once the scan has run to the end. The tool's own CSV lists findings only,
// so an empty CSV cannot tell "nothing found" from "nothing scanned"; this report can.
// Usage: node .ci/electronegativity-scan.mjs SRC_DIR REPORT.json
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const [input = 'src', out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node .ci/electronegativity-scan.mjs SRC_DIR REPORT.json');
  process.exit(2);
}
const root = resolve(input);
const rel = (f) => relative(process.cwd(), resolve(root, f)).split('\\').join('/');

const tool = require('@doyensec/electronegativity/package.json');
const run = require('@doyensec/electronegativity/dist/runner.js');
const { Parser } = require('@doyensec/electronegativity/dist/parser/parser.js');
const { LoaderDirectory } = require('@doyensec/electronegativity/dist/loader/loader_directory.js');

// Record every file the runner hands its parser: the files it scanned, not the ones it meant to.
const scanned = [];
const parse = Parser.prototype.parse;
Parser.prototype.parse = function (filename, content) {
  scanned.push(rel(filename));
  return parse.call(this, filename, content);
};

// The files the runner will walk: the same loader it uses.
const loader = new LoaderDirectory();
await loader.load(root);
const listed = [...loader.list_files].map(rel).sort();

const electron = require('electron/package.json').version;
const result = await run({
  input: root,
  isRelative: true,
  isVerbose: false,
  customScan: [],
  excludeFromScan: [],
  electronVersionOverride: electron,
  parserPlugins: [],
});

const report = {
  tool: `${tool.name} ${tool.version}`,
  electron,
  input: rel('.'),
  listed,
  scanned,
  errors: result.errors.map((e) => ({ file: rel(e.file), message: e.message, tolerable: e.tolerable })),
  issues: result.issues.map((i) => ({
    id: i.id,
    severity: i.severity.name,
    confidence: i.confidence.name,
    file: i.file === 'N/A' ? 'N/A' : rel(i.file),
    location: `${i.location.line}:${i.location.column}`,
    description: i.description,
  })),
  finished: true,
};
writeFileSync(out, JSON.stringify(report, null, 2));
