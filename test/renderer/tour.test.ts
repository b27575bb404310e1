import { describe, expect, it } from 'vitest';
import { TOUR_STOPS, placeCard } from '../../src/renderer/src/lib/tour';
import { en } from '../../src/renderer/src/lib/i18n/en';
import { ko } from '../../src/renderer/src/lib/i18n/ko';

const view = { w: 1024, h: 700 };
const card = { w: 340, h: 200 };

describe('the tour', () => {
  it('has at least eight stops in the teaching order, each with words in both languages', () => {
    expect(TOUR_STOPS.length).toBeGreaterThanOrEqual(8);
    expect(TOUR_STOPS.map((s) => s.id)).toEqual(['rows', 'equation', 'loop', 'experiment', 'units', 'map', 'gates', 'train', 'evaluate']);
    for (const s of TOUR_STOPS) {
      for (const cat of [en, ko]) {
        expect(cat.tour[s.id].title.length, `${s.id} title`).toBeGreaterThan(1);
        expect(cat.tour[s.id].body.length, `${s.id} body`).toBeGreaterThan(40);
      }
    }
  });

  it('puts the card below a target near the top, left-aligned with it', () => {
    expect(placeCard({ x: 300, y: 50, w: 400, h: 100 }, card, view)).toEqual({ x: 300, y: 162, side: 'below' });
  });

  it('keeps the card inside the window on the right edge', () => {
    expect(placeCard({ x: 900, y: 50, w: 100, h: 100 }, card, view).x).toBe(1024 - 340 - 12);
  });

  it('puts the card above a target near the bottom', () => {
    expect(placeCard({ x: 20, y: 450, w: 400, h: 200 }, card, view)).toEqual({ x: 20, y: 238, side: 'above' });
  });

  it('puts the card beside a tall target, right before left', () => {
    expect(placeCard({ x: 20, y: 20, w: 500, h: 660 }, card, view)).toEqual({ x: 532, y: 20, side: 'right' });
    expect(placeCard({ x: 600, y: 20, w: 400, h: 660 }, card, view)).toEqual({ x: 248, y: 20, side: 'left' });
  });

  it('falls back to the lower right corner when the target fills the window', () => {
    expect(placeCard({ x: 0, y: 0, w: 1024, h: 700 }, card, view)).toEqual({ x: 672, y: 488, side: 'corner' });
  });
});
