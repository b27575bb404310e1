/** Colours the canvases need, read from the CSS theme, refreshed when the OS theme changes. */
import { parseColor, type RGB } from '../draw/colors';

export interface Palette {
  paper: RGB;
  ink: RGB;
  panel: RGB;
  empty: RGB;
  heat: RGB;
  inkCss: string;
  /** The dark colour scheme is on. */
  dark: boolean;
}

function read(): Palette {
  const s = getComputedStyle(document.documentElement);
  const v = (name: string) => s.getPropertyValue(name);
  return {
    paper: parseColor(v('--paper')),
    ink: parseColor(v('--ink')),
    panel: parseColor(v('--panel')),
    empty: parseColor(v('--empty')),
    heat: parseColor(v('--heat')),
    inkCss: v('--ink').trim() || '#111',
    dark: matchMedia('(prefers-color-scheme: dark)').matches,
  };
}

class Theme {
  palette = $state.raw<Palette>(read());

  constructor() {
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      this.palette = read();
    });
  }
}

export const theme = new Theme();
