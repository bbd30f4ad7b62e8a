// Shared by the browser tests: the real binary on a random port with a fresh data directory,
// and Debian's Chromium driven by playwright-core.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = path.resolve(ROOT, process.env.CASEKEEP_BIN || "target/debug/casekeep");
export const SCREENSHOTS = path.join(ROOT, "target", "screenshots");
// Synthetic: 16+ characters, and must not contain the user name.
export const NEW_PASSWORD = "Tangerine-Harbour-4817";
const START_TIMEOUT_MS = 60_000;

/** Starts the server and resolves with its URL and the first administrator's credentials. */
export function startCasekeep(dataDir) {
  // The configuration rejects unknown CASEKEEP_ keys, so pass on none from our environment.
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("CASEKEEP_")) env[k] = v;
  }
  env.CASEKEEP_STORAGE__DATA_DIR = dataDir;
  env.CASEKEEP_SERVER__LISTEN = "127.0.0.1:0";

  const child = spawn(BIN, ["serve"], { env, cwd: dataDir, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));

  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`casekeep did not start in time.\nstdout:\n${stdout}\nstderr:\n${stderr}`)),
      START_TIMEOUT_MS,
    );
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${BIN}: ${e.message} (build it with \`cargo build\`)`));
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`casekeep exited early (${code ?? signal}).\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
      const url = stdout.match(/is listening on (https?:\/\/\S+)/)?.[1];
      const username = stdout.match(/^\s*user name: (\S+)\s*$/m)?.[1];
      const password = stdout.match(/^\s*one-time password: (\S+)\s*$/m)?.[1];
      if (url && username && password) {
        clearTimeout(timer);
        resolve({ url, username, password });
      }
    });
  });
  return { child, ready, logs: () => `stdout:\n${stdout}\nstderr:\n${stderr}` };
}

/** Stops the server: SIGTERM (graceful), then SIGKILL if it lingers. */
export async function stopCasekeep(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Resolves when the page's path is `pathname` (navigations after a form post or redirect). */
export async function expectPath(page, pathname) {
  await page.waitForURL((u) => u.pathname === pathname, { timeout: 15_000 });
  assert.equal(new URL(page.url()).pathname, pathname);
}

export async function htmlAttributes(page) {
  const html = page.locator("html");
  return { lang: await html.getAttribute("lang"), dir: await html.getAttribute("dir") };
}

export async function screenshot(page, name) {
  const file = path.join(SCREENSHOTS, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Debian's Chromium, headless, with the flags this closed network needs. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}
