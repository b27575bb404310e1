/** English words left on a page shown in Korean, less the names and symbols that stay as they are. */
import type { Page } from 'playwright-core';

/** Names, units and symbols that stay as they are in Korean. */
const ALLOWED = new Set([
  // the app, the models and the data
  'RNN',
  'Lens',
  'SimpleRNN',
  'GRU',
  'LSTM',
  'MNIST',
  'Adam',
  'tanh',
  'PCA',
  'TensorFlow',
  'BasicRNNCell',
  // file formats, keys, the runtime and the tfjs backends
  'PNG',
  'GIF',
  'JSON',
  'Enter',
  'Esc',
  'Space',
  'Tab',
  'Node',
  'tfjs',
  'wasm',
  'cpu',
  'tensorflow',
  'WebAssembly',
  'SIGKILL',
  'RNN_LENS_KERNELS',
  // the language menu names each language in itself
  'English',
  // model ids, and units
  'builtin',
  'px',
  'nat',
]);

/** Subscripted symbols of the equations: W_z, U_h, b_r. */
const SYMBOL = /^[A-Za-z]_[a-z]$/;

/** English words on the page: its text (screen-reader text included) and the labels, titles and placeholders of its elements. */
export async function englishWords(page: Page): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const out: string[] = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) if (!n.parentElement?.closest('code, kbd, script, style')) out.push(n.textContent ?? '');
    for (const el of Array.from(document.querySelectorAll('*')))
      for (const a of ['aria-label', 'aria-valuetext', 'aria-description', 'title', 'placeholder', 'alt']) {
        const v = el.getAttribute(a);
        if (v) out.push(v);
      }
    return out;
  });
  const words = texts
    .join('\n')
    // File names and version ids are names, not words.
    .replace(/\b[\w.-]+\.(json|bin)\b/g, ' ')
    .replace(/\bv\d{4,}\b/g, ' ')
    .replace(/\bbuiltin-[a-z]+\b/g, ' ')
    .match(/[A-Za-z][A-Za-z_'’]+/g);
  return [...new Set(words ?? [])].filter((w) => !ALLOWED.has(w) && !SYMBOL.test(w));
}
