import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium (`.ci/run` installs it when missing); Playwright's own downloads are not used. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Zero WCAG 2.1 A/AA violations on the page as it is now; `state` names it in the failure. */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const violations = results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
  expect(violations, `axe on ${state}`).toEqual([]);
}

/** Console messages and page errors, to assert that the Content-Security-Policy refused nothing. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

/**
 * The layout shift accumulated on the page so far (Cumulative Layout Shift without session windows).
 * Browser-side code is passed as text: the project's TypeScript has no DOM types.
 */
export function layoutShift(page: Page): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    let total = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
    setTimeout(() => resolve(total), 100);
  })`);
}

/** Nothing wider than the viewport: the page is usable without horizontal scrolling. */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const widths = await page.evaluate<{ content: number; viewport: number }>(
    '({ content: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth })',
  );
  expect(widths.content).toBeLessThanOrEqual(widths.viewport);
}

/** Slow this page's network (Chromium's DevTools throttling), so progress bars can be watched. */
export async function throttle(page: Page, bytesPerSecond: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: bytesPerSecond,
    uploadThroughput: bytesPerSecond,
  });
}

interface Focused {
  name: string;
  visible: boolean;
}

/**
 * Presses Tab until the focused element's accessible text matches, checking on the way that every
 * element that takes focus shows it (an outline from :focus-visible). Keyboard only: no clicks.
 */
export async function tabTo(page: Page, target: RegExp, maxPresses = 60): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate<Focused>(`(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      const label = el.labels && el.labels[0] ? el.labels[0].textContent : '';
      return {
        name: (el.getAttribute('aria-label') || label || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 120),
        visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
      };
    })()`);
    expect(focused.visible, `visible focus on "${focused.name}"`).toBe(true);
    if (target.test(focused.name)) return;
  }
  throw new Error(`${target} not reached with ${maxPresses} Tab presses`);
}
