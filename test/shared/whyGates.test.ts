/** The "Why gates?" recipe: two requests the contract takes, alike but for the cell, and measured as they stand. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TrainStart } from '../../src/shared/contract';
import { readShape } from '../../src/shared/reads';
import { WHY_GATES, WHY_GATES_BUDGETS, WHY_GATES_CELLS, whyGatesRequest } from '../../src/shared/whyGates';

describe('the "Why gates?" recipe', () => {
  it('is a SimpleRNN then a GRU, each request one the contract takes, the same in everything but the cell, on a long read', () => {
    expect(WHY_GATES_CELLS).toEqual(['rnn', 'gru']);
    for (const budget of WHY_GATES_BUDGETS) {
      const [rnn, gru] = WHY_GATES_CELLS.map((c) => whyGatesRequest(c, budget));
      for (const r of [rnn, gru]) expect(TrainStart.safeParse(r).error).toBeUndefined();
      expect({ ...rnn, cell: 'gru' }).toEqual(gru);
      expect(readShape(rnn.read!).steps).toBeGreaterThanOrEqual(112);
    }
    const [full, short] = WHY_GATES_BUDGETS.map((b) => whyGatesRequest('gru', b));
    expect(short.epochs * short.limit).toBeLessThan(full.epochs * full.limit);
  });

  it('is the recipe docs/BENCHMARKS.md measured, at both budgets', () => {
    const doc = readFileSync('docs/BENCHMARKS.md', 'utf8');
    for (const budget of WHY_GATES_BUDGETS) {
      let seconds = 0;
      for (const cell of WHY_GATES_CELLS) {
        const r = whyGatesRequest(cell, budget);
        // The recipe's name as bench/readsTta.ts prints it; its row's seventh column is the seconds of training.
        const name = `${r.cell}-${r.hidden} ${r.read} b${r.batchSize} lr${r.learningRate} ${r.schedule} ${r.epochs}×${r.limit / 1000}k`;
        const row = doc.split('\n').find((l) => l.startsWith(`| ${name} |`));
        expect(row, `docs/BENCHMARKS.md measures ${name}`).toBeDefined();
        seconds += Number(row!.split('|')[7]);
      }
      // What the Train view quotes for the budget is what was measured, to the second.
      expect(WHY_GATES.measuredSec[budget]).toBe(Math.round(seconds));
    }
  });
});
