/**
 * Arrow-key movement in a rows × cols grid, as the ARIA grid pattern has it: arrows move one
 * cell and stop at the edges, Home/End go to the row's ends, and with Ctrl to the grid's
 * first and last cells, Page Up/Down to the column's ends. Returns null for any other key.
 */
export function gridMove(at: readonly [number, number], key: string, ctrl: boolean, rows: number, cols: number): [number, number] | null {
  const [r, c] = at;
  const clamp = (v: number, n: number) => Math.max(0, Math.min(n - 1, v));
  switch (key) {
    case 'ArrowUp':
      return [clamp(r - 1, rows), c];
    case 'ArrowDown':
      return [clamp(r + 1, rows), c];
    case 'ArrowLeft':
      return [r, clamp(c - 1, cols)];
    case 'ArrowRight':
      return [r, clamp(c + 1, cols)];
    case 'Home':
      return ctrl ? [0, 0] : [r, 0];
    case 'End':
      return ctrl ? [rows - 1, cols - 1] : [r, cols - 1];
    case 'PageUp':
      return [0, c];
    case 'PageDown':
      return [rows - 1, c];
    default:
      return null;
  }
}
