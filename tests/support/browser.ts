import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './processes';

/** The dev server's Web UI (tools/env.sh: FERRY_TEMPORAL_UI_PORT). */
export const webUiUrl = process.env.FERRY_TEMPORAL_UI_URL ?? `http://127.0.0.1:${process.env.FERRY_TEMPORAL_UI_PORT ?? '8233'}`;

/** Where tests leave screenshots for a human to look at (.data is git-ignored). */
export const artifactsDir = path.join(repoRoot, '.data/artifacts');

/**
 * Headless Chromium from the system (tools/setup.sh installs it; playwright-core downloads no
 * browser). FERRY_CHROMIUM overrides the executable.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'],
  });
}

/** Saves a screenshot as `.data/artifacts/web-ui-<name>.png` and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `web-ui-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
