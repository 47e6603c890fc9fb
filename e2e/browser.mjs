// Headless Debian Chromium driven by playwright-core (no browser download: `/usr/bin/chromium`,
// or CHROMIUM=/path/to/chromium). Each launch gets a fresh profile directory, removed on close.
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..');
export const OUT = join(HERE, 'out');
export const UI_DIR = join(ROOT, 'gossip-agent/src/main/resources/io/libgossip/agent/ui');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Opens a browser with a fresh profile; returns {context, page, errors, close()}. */
export async function openBrowser() {
  mkdirSync(OUT, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'gossip-ui-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 800 },
      timeout: 60_000,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const page = context.pages()[0] || (await context.newPage());
  // JavaScript exceptions in the page fail the test; console errors are kept for the report.
  const errors = [];
  const console_ = [];
  page.on('pageerror', (e) => errors.push(String(e && e.stack ? e.stack : e)));
  page.on('console', (m) => {
    if (m.type() === 'error') console_.push(m.text());
  });
  return {
    context,
    page,
    errors,
    consoleErrors: console_,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** CSS selector of a member row, optionally with a status. */
export function row(id, status) {
  const sel = `#member-rows tr[data-member-id="${cssString(id)}"]`;
  return status ? `${sel}[data-status="${status}"]` : sel;
}

function cssString(s) {
  return String(s).replace(/["\\]/g, '\\$&');
}
