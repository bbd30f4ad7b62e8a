// A caseworker's day in the browser: register a case, find it again by a misspelled name, edit
// it, and meet a conflict when a colleague saved first, without losing either change. Runs with
// JavaScript off, like the sign-in test. Screenshots go to target/screenshots/.
//
//   node --test tests/browser/cases.spec.mjs      (after `cargo build`; `make browser-test`)

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  NEW_PASSWORD,
  SCREENSHOTS,
  expectPath,
  launchChromium,
  screenshot,
  startCasekeep,
  stopCasekeep,
  setUpSecondFactor,
  signIn as signInThrough,
} from "./harness.mjs";

describe("Cases in a browser", () => {
  let dataDir;
  let server;
  let browser;
  let base;
  let mine; // the caseworker's page
  let theirs; // a colleague's page, in a separate session
  let caseUrl;
  const killOnExit = () => server?.child.kill("SIGKILL");

  let recoveryCodes = []; // the administrator's, for the second factor their role requires
  const signIn = (page, username, password) =>
    signInThrough(page, base, username, password, recoveryCodes);

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), "casekeep-cases-"));
    server = startCasekeep(dataDir);
    process.once("exit", killOnExit);
    const admin = await server.ready;
    base = admin.url;
    browser = await launchChromium();
    const context = () => browser.newContext({ javaScriptEnabled: false, locale: "en-US" });
    mine = await (await context()).newPage();
    theirs = await (await context()).newPage();
    await signIn(mine, admin.username, admin.password);
    await expectPath(mine, "/account/password");
    await mine.fill("#current_password", admin.password);
    await mine.fill("#new_password", NEW_PASSWORD);
    await mine.fill("#confirm_password", NEW_PASSWORD);
    await mine.click('main form[action="/account/password"] button[type=submit]');
    recoveryCodes = await setUpSecondFactor(mine);
    await mine.goto(`${base}/`);
    await expectPath(mine, "/");
    await signIn(theirs, admin.username, NEW_PASSWORD);
    await expectPath(theirs, "/");
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopCasekeep(server?.child);
    process.removeListener("exit", killOnExit);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses an incomplete case and says which fields", async () => {
    await mine.goto(`${base}/cases/new`);
    await mine.fill("#f-name_first", "Mohammed");
    await mine.fill("#f-age", "eleven");
    await mine.click("form.recordform button[type=submit]");
    await expectPath(mine, "/cases");
    assert.match(await mine.locator(".alert").first().innerText(), /not valid/);
    assert.equal(await mine.locator(".field.invalid").count() >= 3, true, "surname, sex and age are marked");
    assert.equal(await mine.inputValue("#f-name_first"), "Mohammed", "what was typed is kept");
  });

  it("registers a case", async () => {
    await mine.fill("#f-name_last", "Al-Rashid");
    await mine.selectOption("#f-sex", "male");
    await mine.fill("#f-age", "11");
    await mine.selectOption("#f-risk_level", "high");
    await mine.check('input[name="f:protection_concerns"][value="refugee"]');
    await mine.fill("#s-family_details_section-0-relation_name", "Fatima Al-Rashid");
    await mine.selectOption("#s-family_details_section-0-relation", "mother");
    await mine.click("form.recordform button[type=submit]");
    await mine.waitForURL((u) => /^\/cases\/[0-9a-f-]{36}$/.test(u.pathname));
    caseUrl = mine.url();
    const heading = await mine.locator("main h1").innerText();
    assert.match(heading, /Mohammed Al-Rashid/);
    assert.match(heading, /CP-\d{4}-\d{6}/);
    const body = await mine.locator("main").innerText();
    assert.match(body, /High/);
    assert.match(body, /Fatima Al-Rashid/);
    await screenshot(mine, "case-view.png");
  });

  it("finds it by a misspelled name", async () => {
    await mine.goto(`${base}/cases`);
    await mine.fill("#query", "muhamad alrashid");
    await mine.click("form.filters button[type=submit]");
    await mine.waitForURL((u) => u.pathname === "/cases" && u.searchParams.get("query") !== null);
    const rows = mine.locator("table.records tbody tr");
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /Mohammed Al-Rashid/);
    await screenshot(mine, "cases-search.png");
    await rows.first().locator("a").first().click();
    assert.equal(mine.url(), caseUrl);
  });

  it("keeps both changes when a colleague saved first", async () => {
    // Both open the edit form on the same version.
    await mine.goto(`${caseUrl}/edit`);
    await theirs.goto(`${caseUrl}/edit`);
    // The colleague changes the age and saves first.
    await theirs.fill("#f-age", "12");
    await theirs.click("form.recordform button[type=submit]");
    await theirs.waitForURL(caseUrl);
    // Then this user, who started earlier, adds a nickname.
    await mine.fill("#f-name_nickname", "Hamoudi");
    await mine.click("form.recordform button[type=submit]");
    // Nothing is overwritten: the conflict is shown, with the colleague's change listed...
    const conflict = mine.locator(".alert.conflict");
    await conflict.waitFor();
    assert.match(await conflict.innerText(), /Age/);
    assert.match(await conflict.innerText(), /12/);
    // ...and the form carries both: their age, my nickname.
    assert.equal(await mine.inputValue("#f-age"), "12");
    assert.equal(await mine.inputValue("#f-name_nickname"), "Hamoudi");
    assert.equal(await mine.locator(".field.changed").count() >= 1, true);
    await screenshot(mine, "case-conflict.png");
    await mine.click("form.recordform button[type=submit]");
    await mine.waitForURL(caseUrl);
    const body = await mine.locator("main").innerText();
    assert.match(body, /Hamoudi/);
    assert.match(body, /\b12\b/);
  });

  it("shows who changed what in the history", async () => {
    await mine.goto(`${caseUrl}/history`);
    const text = await mine.locator("main").innerText();
    assert.match(text, /Nickname/);
    assert.match(text, /Hamoudi/);
    assert.match(text, /Age/);
    assert.match(text, /Registered/);
    await screenshot(mine, "case-history.png");
  });

  it("flags, adds a note and closes the case", async () => {
    await mine.goto(caseUrl);
    await mine.fill("#flag-message", "Verify the school enrolment");
    await mine.click('form[action$="/flags"] button[type=submit]');
    await mine.waitForURL(caseUrl);
    assert.match(await mine.locator(".flags").innerText(), /Verify the school enrolment/);
    await mine.fill("#note_subject", "Home visit");
    await mine.fill("#note_text", "Met the mother; the child attends school.");
    await mine.click('form[action$="/notes"] button[type=submit]');
    await mine.waitForURL(caseUrl);
    assert.match(await mine.locator("main").innerText(), /Home visit/);
    await mine.selectOption("#closure_reason", "case_goals_all_met");
    await mine.click('form[action$="/status"] button[type=submit]');
    await mine.waitForURL(caseUrl);
    assert.match(await mine.locator(".summary").innerText(), /Closed/);
    await mine.goto(`${base}/cases?flagged=true&status=closed`);
    assert.equal(await mine.locator("table.records tbody tr").count(), 1);
    await screenshot(mine, "cases-list.png");
  });

  it("shows the list in Arabic, right to left", async () => {
    const page = await (await browser.newContext({ javaScriptEnabled: false, locale: "ar" })).newPage();
    await signIn(page, "admin", NEW_PASSWORD);
    await expectPath(page, "/");
    await page.goto(`${base}/cases`);
    assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
    assert.match(await page.locator("main h1").innerText(), /الحالات/);
    await screenshot(page, "cases-list-ar.png");
  });
});
