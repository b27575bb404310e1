/** The electronegativity gate fails unless its report shows a complete scan of the app's sources. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReport, requiredFiles, type ElectronegativityReport } from '../../.ci/electronegativity-check.mjs';
import { tempDir } from '../helpers';

const required = ['src/main/index.ts', 'src/main/window.ts', 'src/preload/index.ts', 'src/renderer/index.html', 'src/renderer/src/main.ts'];

/** A report as the scan writes it for a clean run over `required` and one more file. */
const good = (): ElectronegativityReport => ({
  tool: '@doyensec/electronegativity 1.10.3',
  electron: '45.5.0',
  input: 'src',
  listed: [...required, 'src/node/engine/store.ts'],
  scanned: [...required, 'src/node/engine/store.ts'],
  errors: [],
  issues: [
    {
      id: 'PRELOAD_JS_CHECK',
      severity: 'MEDIUM',
      confidence: 'FIRM',
      file: 'src/main/window.ts',
      location: '16:6',
      description: 'Review the use of preload scripts',
    },
  ],
  finished: true,
});

describe('electronegativity gate', () => {
  it('passes a complete scan with no HIGH finding', () => {
    expect(checkReport(good(), required)).toEqual([]);
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['an empty report', () => ({}), /did not run to the end/],
    ['no report object', () => null, /not a JSON object/],
    ['a scan that stopped early', () => ({ ...good(), finished: undefined }), /did not run to the end/],
    ['a report without scanned files', () => ({ ...good(), scanned: [] }), /lists no scanned files/],
    [
      'a scan that skipped the preload script',
      () => ({ ...good(), scanned: good().scanned!.filter((f) => !f.startsWith('src/preload/')) }),
      /src\/preload\/index.ts/,
    ],
    ['a scan that never reached a listed file', () => ({ ...good(), scanned: required }), /listed files were never scanned: src\/node\/engine\/store.ts/],
    [
      'a source that did not parse',
      () => ({ ...good(), errors: [{ file: 'src/main/index.ts', message: 'Unexpected token', tolerable: false }] }),
      /src\/main\/index.ts could not be parsed/,
    ],
    [
      'a HIGH finding',
      () => ({
        ...good(),
        issues: [{ id: 'NODE_INTEGRATION_HTML_CHECK', severity: 'HIGH', confidence: 'FIRM', file: 'src/main/window.ts', location: '1:1', description: 'x' }],
      }),
      /HIGH finding NODE_INTEGRATION_HTML_CHECK/,
    ],
  ];
  it.each(bad)('fails on %s', (_name, report, why) => {
    const problems = checkReport(report(), required);
    expect(problems.join('\n')).toMatch(why);
  });

  it('fails when it is not told which sources to require', () => {
    expect(checkReport(good(), ['src/main/index.ts']).join('\n')).toMatch(/no sources under src\/preload/);
  });

  it('requires every source of main, preload and renderer that the tool can read', () => {
    const files = requiredFiles();
    for (const f of ['src/main/index.ts', 'src/main/window.ts', 'src/preload/index.ts', 'src/renderer/index.html', 'src/renderer/src/main.ts'])
      expect(files).toContain(f);
    expect(files.some((f) => f.endsWith('.svelte'))).toBe(false);
    expect(files.some((f) => f.startsWith('src/node/'))).toBe(false);
  });

  it('exits non-zero on an empty or missing report file', () => {
    const dir = tempDir();
    for (const [name, content] of [
      ['empty.json', ''],
      ['object.json', '{}'],
    ]) {
      writeFileSync(join(dir, name), content);
      const r = spawnSync(process.execPath, ['.ci/electronegativity-check.mjs', join(dir, name)], { encoding: 'utf8' });
      expect(r.status, name).toBe(1);
    }
    expect(spawnSync(process.execPath, ['.ci/electronegativity-check.mjs', join(dir, 'none.json')]).status).toBe(1);
  });
});
