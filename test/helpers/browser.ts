/**
 * Chromium for the browser tests: playwright-core driving Debian's Chromium (`/usr/bin/chromium`,
 * headless) against the real harness; screenshots go to test-results/screenshots/ (not committed).
 * Where Chromium is missing the tests skip, loudly; `.ci/run` installs it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestHarness } from './harness.ts';
import { warnSkipped } from './system-tools.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) warnSkipped('Chromium (the browser tests)', 'apt-get install chromium');
export const SCREENSHOTS = 'test-results/screenshots';

export const saveScreenshot = (page: Page, name: string) =>
  page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });

/** Chromium, headless; its sandbox cannot start as root (CI containers run as root). */
export const launchBrowser = () =>
  chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });

/** A harness, Chromium and a page for one describe block. */
export async function openSession(
  start: () => Promise<TestHarness>,
): Promise<{ h: TestHarness; browser: Browser; page: Page }> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const h = await start();
  const browser = await launchBrowser();
  return { h, browser, page: await browser.newPage() };
}

export async function closeSession(session: { h?: TestHarness; browser?: Browser }): Promise<void> {
  await session.browser?.close();
  await session.h?.stop();
}
