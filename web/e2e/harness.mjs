// The shared part of the browser tests (web/e2e/*.mjs, run by
// e2e/ui*_test.go and e2e/sessions_test.go): Debian's chromium launched
// headless by playwright-core with a fresh profile, a page with a default
// timeout whose uncaught errors are collected, named steps that count
// passes and failures (a failure logs the message and saves a
// screenshot), screenshots to SCREENSHOTS, and the exit code.
//
//   const h = await openBrowser({ name: 'alerts', viewport: { width: 1440, height: 900 } });
//   const { page, step, expect } = h;
//   try {
//     await step('...', async () => { ...; expect(cond, 'message'); });
//     await step('no uncaught page errors', async () => h.expectNoPageErrors());
//   } finally {
//     await h.close();
//   }
//   h.exit();
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** CHROMIUM_ARGS: headless in a container, no sandbox, GPU or background traffic. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/** CHROMIUM is the browser binary (env CHROMIUM, default Debian's). */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** env returns the named environment variables, or throws "set A and B" if one is missing. */
export function env(...names) {
  const vals = names.map((n) => process.env[n]);
  if (vals.some((v) => !v)) throw new Error(`set ${names.join(' and ')}`);
  return vals;
}

/** expect throws msg unless cond holds (a step's assertion). */
export function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

/**
 * openBrowser launches chromium with a fresh persistent profile (playwright
 * passes it as --user-data-dir) and returns the harness:
 *
 *   browser      the persistent context (newPage, cookies, …)
 *   page         its first page (default timeout `timeout`); the page a
 *                failed step screenshots — assign another to switch
 *   pageErrors   uncaught errors of `page` (and of pages passed to watch)
 *   step(name, fn), expect(cond, msg)
 *   shots        the SCREENSHOTS directory ('' if unset; created)
 *   shot(name, settleMs)  a screenshot of page to shots/name.png (nothing
 *                without SCREENSHOTS), after settleMs (charts animate in)
 *   newPage()    another page with the default timeout, its errors in
 *                its own list: { page, errors }
 *   expectNoPageErrors()  the closing assertion of every script
 *   close(), exit()
 *
 * Options: name (failure screenshots are <tmp>/overlook-<name>-fail-N.png),
 * failShot(n) → path or '' (overrides that), viewport, colorScheme,
 * locale, timezoneId, timeout (default 15000 ms), profilePrefix.
 */
export async function openBrowser({
  name, failShot, viewport = { width: 1280, height: 800 }, colorScheme, locale, timezoneId,
  timeout = 15000, profilePrefix = 'overlook-chromium-',
} = {}) {
  const shots = process.env.SCREENSHOTS ?? '';
  if (shots) mkdirSync(shots, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), profilePrefix));
  const opts = { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport };
  if (colorScheme) opts.colorScheme = colorScheme;
  if (locale) opts.locale = locale;
  if (timezoneId) opts.timezoneId = timezoneId;
  let browser;
  try {
    browser = await chromium.launchPersistentContext(profile, opts);
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const failPath = failShot ?? ((n) => join(tmpdir(), `overlook-${name ?? 'browser'}-fail-${n}.png`));
  let passed = 0;
  let failed = 0;

  const h = {
    browser,
    page: browser.pages()[0] ?? (await browser.newPage()),
    pageErrors: [],
    shots,
    expect,
    /** watch sets the default timeout on p and collects its uncaught errors into errors. */
    watch(p, errors = h.pageErrors) {
      p.setDefaultTimeout(timeout);
      p.on('pageerror', (e) => errors.push(e.message));
      return errors;
    },
    async newPage() {
      const page = await browser.newPage();
      return { page, errors: h.watch(page, []) };
    },
    /** step runs fn, logging "ok name (ms)" or "FAIL name: message" and a screenshot; it never throws. */
    async step(stepName, fn) {
      const t0 = Date.now();
      try {
        await fn();
        passed++;
        console.log(`ok   ${stepName} (${Date.now() - t0} ms)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${stepName}: ${e.message}`);
        const path = failPath(failed);
        if (path && h.page) await h.page.screenshot({ path }).catch(() => undefined);
      }
    },
    async shot(shotName, settleMs = 0) {
      if (!shots) return;
      if (settleMs) await h.page.waitForTimeout(settleMs);
      await h.page.screenshot({ path: join(shots, `${shotName}.png`) });
    },
    expectNoPageErrors(errors = h.pageErrors) {
      expect(errors.length === 0, `page errors: ${errors.join(' | ')}`);
    },
    /** close closes the browser and removes the profile. */
    async close() {
      try {
        await browser.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
    /** exit prints the tally and exits 1 if a step failed. */
    exit() {
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed ? 1 : 0);
    },
  };
  h.watch(h.page);
  return h;
}
