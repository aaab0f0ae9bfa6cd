// Headless Chromium for the browser tests: Debian's chromium (installed by .ci/run with
// apt-get), driven by playwright-core. Tests that need it skip, saying why, when it is absent.
import { existsSync, readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium executable, or undefined when none is installed. */
export const chromiumPath: string | undefined = CANDIDATES.find((p): p is string => p !== undefined && existsSync(p));

/** Appended to the names of tests that need Chromium, so a skip says why. */
export const chromiumNote = chromiumPath ? '' : ' [skipped: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)]';

if (!chromiumPath) console.warn('No Chromium found: the browser tests are skipped (apt-get install chromium, or set CHROMIUM_PATH).');

/** A headless browser; as root in a container Chromium needs --no-sandbox. */
export function launchChromium(): Promise<Browser> {
  if (!chromiumPath) throw new Error('no Chromium installed');
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/**
 * Answers `origin` from dist/ (and `page` at '/'), nothing over the network: '/' is `pageHtml`,
 * '/name.js' or '/dir/name.js' a file of dist/ (its ESM is one module per source file), anything
 * else 404. `headers` go on every answer (COOP/COEP, say).
 */
export async function routeDist(
  page: Page,
  origin: string,
  pageHtml: string,
  dist: string,
  headers: Record<string, string> = {},
  extra: Record<string, string> = {},
): Promise<void> {
  await page.route(`${origin}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/') return route.fulfill({ contentType: 'text/html', body: pageHtml, headers });
    if (extra[path] !== undefined) return route.fulfill({ contentType: 'text/javascript', body: extra[path], headers });
    const file = resolve(dist, `.${path}`);
    if (/^(\/[\w-][\w.-]*)+\.js$/.test(path) && file.startsWith(dist + sep) && existsSync(file)) return route.fulfill({ contentType: 'text/javascript', body: readFileSync(file, 'utf8'), headers });
    return route.fulfill({ status: 404, body: 'not found' });
  });
}
