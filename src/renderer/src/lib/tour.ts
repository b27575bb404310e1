/**
 * The guided tour's stops, in order, and where its card sits beside the panel it points at.
 * Each stop names the view it needs and the panel (a data-testid) it points at; its words are
 * `tour.<id>.title` and `tour.<id>.body` in the message catalogues.
 */
import type { Tab } from './state/nav.svelte';

export const TOUR_STOP_IDS = ['rows', 'equation', 'loop', 'experiment', 'units', 'map', 'gates', 'train', 'evaluate'] as const;
export type TourStopId = (typeof TOUR_STOP_IDS)[number];

export interface TourStop {
  id: TourStopId;
  tab: Tab;
  /** The data-testid of the element pointed at; the card around it is highlighted. */
  target: string;
}

const TARGETS: Record<TourStopId, [Tab, string]> = {
  rows: ['draw', 'viz-viewer'],
  equation: ['draw', 'viz-equations'],
  loop: ['draw', 'viz-loop'],
  experiment: ['draw', 'viz-experiments'],
  units: ['draw', 'viz-units'],
  map: ['draw', 'viz-map'],
  gates: ['draw', 'viz-viewer'],
  train: ['train', 'train-form'],
  evaluate: ['eval', 'eval-summary'],
};

export const TOUR_STOPS: readonly TourStop[] = TOUR_STOP_IDS.map((id) => ({ id, tab: TARGETS[id][0], target: TARGETS[id][1] }));

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Where the card goes: below the target if it fits, else above, else beside it, else in the window's lower right corner. */
export function placeCard(
  target: Box,
  card: { w: number; h: number },
  view: { w: number; h: number },
  gap = 12,
): { x: number; y: number; side: 'below' | 'above' | 'right' | 'left' | 'corner' } {
  const clampX = (x: number) => Math.max(gap, Math.min(view.w - card.w - gap, x));
  const clampY = (y: number) => Math.max(gap, Math.min(view.h - card.h - gap, y));
  if (target.y + target.h + gap + card.h + gap <= view.h) return { x: clampX(target.x), y: target.y + target.h + gap, side: 'below' };
  if (target.y - gap - card.h >= gap) return { x: clampX(target.x), y: target.y - gap - card.h, side: 'above' };
  if (target.x + target.w + gap + card.w + gap <= view.w) return { x: target.x + target.w + gap, y: clampY(target.y), side: 'right' };
  if (target.x - gap - card.w >= gap) return { x: target.x - gap - card.w, y: clampY(target.y), side: 'left' };
  return { x: view.w - card.w - gap, y: view.h - card.h - gap, side: 'corner' };
}
