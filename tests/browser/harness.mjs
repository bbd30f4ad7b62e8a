// Shared by the browser tests: the real binary on a random port with a fresh data directory,
// and Debian's Chromium driven by playwright-core.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
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

/** The code an authenticator app shows for a base32 TOTP secret (RFC 6238: SHA-1, 30 s, six digits). */
export function totpCode(secret, at = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...secret.replace(/[\s=]/g, "").toUpperCase()]
    .map((c) => alphabet.indexOf(c).toString(2).padStart(5, "0"))
    .join("");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/**
 * Sets up two-step sign-in from the account page, where Casekeep sends a user whose role requires
 * it, the way a user does with an authenticator app; resolves with the ten recovery codes.
 */
export async function setUpSecondFactor(page) {
  await expectPath(page, "/account/second-factor");
  await Promise.all([
    page.waitForNavigation(),
    page.click('main form[action="/account/second-factor/begin"] button[type=submit]'),
  ]);
  assert.equal(await page.locator("main figure.qr svg").count(), 1, "a QR code to scan");
  const secret = (await page.locator("#secret").innerText()).replace(/\s/g, "");
  await page.fill("#code", totpCode(secret));
  await Promise.all([
    page.waitForNavigation(),
    page.click('main form[action="/account/second-factor/confirm"] button[type=submit]'),
  ]);
  const codes = await page.locator("ol.recovery-codes code").allInnerTexts();
  assert.equal(codes.length, 10, "ten recovery codes");
  return codes;
}

/**
 * Signs in through the form. When Casekeep asks for the second factor, one of `recoveryCodes` is
 * typed and spent (a code from the app works once per 30 seconds; recovery codes keep the tests
 * from waiting).
 */
export async function signIn(page, base, username, password, recoveryCodes = []) {
  await page.goto(`${base}/sign-in`);
  await page.fill("#username", username);
  await page.fill("#password", password);
  await Promise.all([
    page.waitForNavigation(),
    page.click('main form[action="/sign-in"] button[type=submit]'),
  ]);
  if ((await page.locator('main form[action="/sign-in/code"]').count()) > 0) {
    const code = recoveryCodes.shift();
    assert.ok(code, `${username} is asked for a code and no recovery code is left`);
    await page.fill("#code", code);
    await Promise.all([
      page.waitForNavigation(),
      page.click('main form[action="/sign-in/code"] button[type=submit]'),
    ]);
  }
}
