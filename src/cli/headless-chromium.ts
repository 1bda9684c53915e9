// Debian's Chromium, headless, as the UI tests and `bench explorer` drive it: WebGL through ANGLE
// on EGL (llvmpipe where there is no GPU), and none of the background connections that this
// machine's closed network refuses (ARCHITECTURE.md, "The renderer").
import type { Browser } from 'playwright-core';

/** playwright-core is loaded on first use: only the UI tests and `bench explorer` need it. */
export async function launchHeadlessChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--use-gl=angle',
      '--use-angle=gl-egl',
      '--ignore-gpu-blocklist',
      '--no-sandbox',
      '--disable-gpu-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
