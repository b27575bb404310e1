/** Whether a focus ring is seen: pixels of the focus colour in a band just outside an element, read from a real screenshot. */
import type { Locator, Page } from 'playwright-core';

/** How many pixels within `band` CSS px outside the element's box are close to the page's --focus colour. */
export async function focusRingPixels(page: Page, element: Locator, band = 5): Promise<number> {
  const box = (await element.boundingBox())!;
  const clip = { x: box.x - band, y: box.y - band, width: box.width + 2 * band, height: box.height + 2 * band };
  const png = await page.screenshot({ clip, scale: 'css' });
  return page.evaluate(
    async ({ b64, band }) => {
      const focus = getComputedStyle(document.documentElement).getPropertyValue('--focus').trim();
      const rgb = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i
        .exec(focus)!
        .slice(1)
        .map((h) => parseInt(h, 16));
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const img = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const c = new OffscreenCanvas(img.width, img.height);
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const { data, width, height } = ctx.getImageData(0, 0, img.width, img.height);
      let n = 0;
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const inside = x >= band && y >= band && x < width - band && y < height - band;
          if (inside) continue;
          const i = (y * width + x) * 4;
          if (Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) < 60) n++;
        }
      return n;
    },
    { b64: png.toString('base64'), band },
  );
}
