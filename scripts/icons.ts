import path from 'node:path';
import { colorIconSvg, outlineIconSvg } from '../manifest/icon.svg';
import { launchChromium } from './chromium';

/**
 * `npm run icons`: renders manifest/color.png (192×192) and manifest/outline.png (32×32, white on transparent) from the SVGs
 * in manifest/icon.svg.ts with headless Chromium. The PNGs are committed; run this after changing the drawing.
 */
async function main(): Promise<void> {
  const browser = await launchChromium({ width: 400, height: 400 });
  try {
    const page = await browser.context.newPage();
    for (const [file, svg, size] of [
      ['color.png', colorIconSvg(), 192],
      ['outline.png', outlineIconSvg(), 32],
    ] as const) {
      await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
      const out = path.resolve(__dirname, '..', 'manifest', file);
      await page.screenshot({ path: out, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
      console.log(`wrote ${path.relative(process.cwd(), out)} (${size}×${size})`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error('npm run icons failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
