import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium driven by playwright-core, at the laptop size the console is made for (1366×768). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = path.join(__dirname, '..', '..', 'test-results', 'screenshots');
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ConsoleBrowser {
  browser: Browser;
  page: Page;
  /** Script errors and any request that left the app's own address (the console must work offline). */
  errors: string[];
  shot(name: string): Promise<unknown>;
  login(username: string, password: string): Promise<void>;
}

export async function openConsole(base: string): Promise<ConsoleBrowser> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const page = await browser.newPage({
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
    timezoneId: 'UTC',
    acceptDownloads: true,
  });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.route(
    (url) => !url.href.startsWith(`${base}/`),
    (r) => {
      errors.push(`外部请求：${r.request().url()}`);
      return r.abort();
    },
  );
  return {
    browser,
    page,
    errors,
    shot: (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true }),
    async login(username, password) {
      await page.goto(`${base}/#/login`);
      await page.getByLabel('用户名').fill(username);
      await page.getByLabel('密码').fill(password);
      // Enter submits the form (keyboard use).
      await page.getByLabel('密码').press('Enter');
      await page.locator('#who').getByRole('button', { name: '退出' }).waitFor();
    },
  };
}
