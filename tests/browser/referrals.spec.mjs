// A referral in the browser, with JavaScript off: a caseworker refers a case to a service
// provider, who accepts it and sees the case; when the caseworker revokes the referral, the
// provider loses access at once. Screenshots go to target/screenshots/.
//
//   node --test tests/browser/referrals.spec.mjs      (after `cargo build`; `make browser-test`)

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  BIN,
  SCREENSHOTS,
  expectPath,
  launchChromium,
  screenshot,
  startCasekeep,
  stopCasekeep,
  signIn as signInThrough,
} from "./harness.mjs";

const PASSWORD = "Copper-Meadow-Lantern-58";

describe("A referral in a browser", () => {
  let dataDir;
  let server;
  let browser;
  let base;
  let worker; // the caseworker's page
  let provider; // the service provider's page, in a separate session
  let caseUrl;
  const killOnExit = () => server?.child.kill("SIGKILL");

  /** Creates a user the way an administrator does it on the server. */
  function createUser(username, role) {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("CASEKEEP_")),
    );
    env.CASEKEEP_STORAGE__DATA_DIR = dataDir;
    execFileSync(BIN, ["user", "create", "--username", username, "--role", role, "--password-stdin"], {
      input: `${PASSWORD}\n`,
      cwd: dataDir,
      env,
    });
  }

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), "casekeep-referrals-"));
    server = startCasekeep(dataDir);
    process.once("exit", killOnExit);
    base = (await server.ready).url;
    createUser("worker.refer", "caseworker");
    createUser("provider.one", "referral-recipient");
    browser = await launchChromium();
    const context = () => browser.newContext({ javaScriptEnabled: false, locale: "en-US" });
    worker = await (await context()).newPage();
    provider = await (await context()).newPage();
    await signInThrough(worker, base, "worker.refer", PASSWORD);
    await expectPath(worker, "/");
    await signInThrough(provider, base, "provider.one", PASSWORD);
    await expectPath(provider, "/");
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopCasekeep(server?.child);
    process.removeListener("exit", killOnExit);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("the caseworker registers a case with consent to share", async () => {
    await worker.goto(`${base}/cases/new`);
    await worker.fill("#f-name_first", "Salma");
    await worker.fill("#f-name_last", "Synthetic");
    await worker.selectOption("#f-sex", "female");
    await worker.fill("#f-age", "10");
    await worker.check("#f-consent_for_services");
    await worker.click("form.recordform button[type=submit]");
    await worker.waitForURL((u) => /^\/cases\/[0-9a-f-]{36}$/.test(u.pathname));
    caseUrl = worker.url();
  });

  it("the provider cannot see the case before it is referred", async () => {
    const res = await provider.goto(caseUrl);
    assert.equal(res.status(), 403);
  });

  it("the caseworker refers it for a service", async () => {
    await worker.goto(caseUrl);
    await worker.click(`a[href="${new URL(caseUrl).pathname}/workflow"]`);
    await expectPath(worker, `${new URL(caseUrl).pathname}/workflow`);
    await worker.selectOption("#refer-to", "provider.one");
    await worker.selectOption("#refer-service", "psychosocial_service");
    await worker.fill("#refer-notes", "Weekly sessions after school");
    await worker.click("#refer-form button[type=submit]");
    await expectPath(worker, `${new URL(caseUrl).pathname}/workflow`);
    const row = worker.locator("table.transitions tbody tr").first();
    assert.equal(await row.getAttribute("data-status"), "in_progress");
    assert.match(await row.innerText(), /provider\.one/);
    assert.match(await row.innerText(), /Psychosocial/);
    await screenshot(worker, "referral-sent.png");
  });

  it("the provider finds it, accepts it and reads the case", async () => {
    await provider.goto(`${base}/cases`);
    const rows = provider.locator("table.records tbody tr");
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /Salma Synthetic/);
    await provider.goto(`${caseUrl}/workflow`);
    const row = provider.locator("table.transitions tbody tr").first();
    await row.locator('input[name="status"][value="accepted"] ~ button').click();
    await expectPath(provider, `${new URL(caseUrl).pathname}/workflow`);
    assert.equal(
      await provider.locator("table.transitions tbody tr").first().getAttribute("data-status"),
      "accepted",
    );
    await screenshot(provider, "referral-accepted.png");
    const res = await provider.goto(caseUrl);
    assert.equal(res.status(), 200);
    assert.match(await provider.locator("main h1").innerText(), /Salma Synthetic/);
    // A provider reads; they do not edit.
    assert.equal(await provider.locator(`a[href="${new URL(caseUrl).pathname}/edit"]`).count(), 0);
  });

  it("revoking the referral ends the provider's access at once", async () => {
    await worker.goto(`${caseUrl}/workflow`);
    const row = worker.locator("table.transitions tbody tr").first();
    await row.locator('input[name="status"][value="revoked"] ~ button').click();
    await expectPath(worker, `${new URL(caseUrl).pathname}/workflow`);
    assert.equal(
      await worker.locator("table.transitions tbody tr").first().getAttribute("data-status"),
      "revoked",
    );
    const res = await provider.goto(caseUrl);
    assert.equal(res.status(), 403);
    assert.match(await provider.locator("main").innerText(), /permission/);
    await provider.goto(`${base}/cases`);
    assert.equal(await provider.locator("table.records tbody tr").count(), 0);
    await screenshot(provider, "referral-revoked.png");
  });
});
