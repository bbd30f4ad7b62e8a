// End-to-end check of Casekeep's web UI in headless Chromium, against the real binary.
//
//   node --test tests/browser/signin.spec.mjs      (after `cargo build`; `make browser-test`)
//
// Starts `casekeep serve` on a random loopback port with a fresh data directory, signs in as
// the first administrator with the one-time password it prints, changes the password, switches
// the UI to Arabic and checks right-to-left layout. All of it runs with JavaScript disabled: the
// UI is plain HTML forms. Screenshots go to target/screenshots/ for people to look at.
//
// Environment: CASEKEEP_BIN (default target/debug/casekeep), CHROMIUM (default /usr/bin/chromium).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  NEW_PASSWORD,
  SCREENSHOTS,
  expectPath,
  htmlAttributes,
  launchChromium,
  screenshot,
  startCasekeep,
  stopCasekeep,
  setUpSecondFactor,
} from "./harness.mjs";

describe("Casekeep in a browser", () => {
  let dataDir;
  let server;
  let browser;
  let base;
  let admin;
  let page; // the JavaScript-free session carried through the steps below

  // Whatever happens, the server must not outlive the test process.
  const killOnExit = () => server?.child.kill("SIGKILL");

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), "casekeep-browser-"));
    server = startCasekeep(dataDir);
    process.once("exit", killOnExit);
    const started = await server.ready;
    base = started.url;
    admin = started;
    browser = await launchChromium();
    // Plain HTML forms only: the whole flow must work without JavaScript.
    const context = await browser.newContext({ javaScriptEnabled: false, locale: "en-US" });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopCasekeep(server?.child);
    process.removeListener("exit", killOnExit);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints the first administrator's one-time password", () => {
    assert.equal(admin.username, "admin");
    assert.ok(admin.password.length >= 12, "one-time password too short");
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("really has JavaScript switched off in this browser session", async () => {
    await page.setContent('<title>off</title><script>document.title = "on"</script>');
    assert.equal(await page.title(), "off");
  });

  it("sends a visitor to the sign-in page", async () => {
    await page.goto(`${base}/`);
    await expectPath(page, "/sign-in");
    assert.deepEqual(await htmlAttributes(page), { lang: "en", dir: "ltr" });
  });

  it("signs in with the one-time password and must choose a new one", async () => {
    await page.fill("#username", admin.username);
    await page.fill("#password", admin.password);
    await page.click('main form[action="/sign-in"] button[type=submit]');
    await expectPath(page, "/account/password");
    await page.fill("#current_password", admin.password);
    await page.fill("#new_password", NEW_PASSWORD);
    await page.fill("#confirm_password", NEW_PASSWORD);
    await page.click('main form[action="/account/password"] button[type=submit]');
  });

  it("must then set up two-step sign-in, as the superuser's role requires", async () => {
    await expectPath(page, "/account/second-factor");
    await screenshot(page, "second-factor-required.png");
    const codes = await setUpSecondFactor(page);
    assert.ok(codes.every((c) => /^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/.test(c)), codes.join(" "));
    await screenshot(page, "second-factor-recovery-codes.png");
    await page.goto(`${base}/`);
    await expectPath(page, "/");
  });

  it("shows the home page in English, left to right", async () => {
    assert.match(await page.locator("main h1").innerText(), /Welcome/);
    assert.deepEqual(await htmlAttributes(page), { lang: "en", dir: "ltr" });
    await screenshot(page, "home-en.png");
  });

  it("switches to Arabic: right to left, navigation mirrored", async () => {
    await page.goto(`${base}/account`);
    await expectPath(page, "/account");
    await page.selectOption("select#language", "ar");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expectPath(page, "/account");
    assert.deepEqual(await htmlAttributes(page), { lang: "ar", dir: "rtl" });

    const links = page.locator(".mainnav a");
    assert.ok((await links.count()) >= 2, "the main navigation should have at least two links");
    const first = await links.first().boundingBox();
    const last = await links.last().boundingBox();
    assert.ok(first && last, "navigation links should be visible");
    assert.ok(
      first.x > last.x,
      `in RTL the first nav link should be right of the last (first.x=${first.x}, last.x=${last.x})`,
    );
    await screenshot(page, "account-ar.png");

    await page.goto(`${base}/`);
    await expectPath(page, "/");
    assert.deepEqual(await htmlAttributes(page), { lang: "ar", dir: "rtl" });
    await screenshot(page, "home-ar.png");
  });

  it("fits the sign-in page on a phone screen", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "en-US" });
    try {
      const phone = await context.newPage();
      await phone.goto(`${base}/sign-in`);
      await expectPath(phone, "/sign-in");
      const overflow = await phone.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `the sign-in page scrolls sideways on a phone by ${overflow}px`);
      await screenshot(phone, "sign-in-phone.png");
    } finally {
      await context.close();
    }
  });
});
