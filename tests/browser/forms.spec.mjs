// The form builder in a browser: an administrator adds a lookup and a field with French and
// Arabic labels; a caseworker sees the field at once in each language and fills it in.
// Screenshots go to target/screenshots/.
//
//   node --test tests/browser/forms.spec.mjs      (after `cargo build`; `make browser-test`)

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  BIN,
  NEW_PASSWORD,
  SCREENSHOTS,
  expectPath,
  htmlAttributes,
  launchChromium,
  screenshot,
  startCasekeep,
  stopCasekeep,
  setUpSecondFactor,
  signIn as signInThrough,
} from "./harness.mjs";

const WORKER_PASSWORD = "Lantern-Orchard-2093";

describe("Form builder in a browser", () => {
  let dataDir;
  let server;
  let browser;
  let base;
  let admin;
  const killOnExit = () => server?.child.kill("SIGKILL");

  const signIn = (page, username, password) => signInThrough(page, base, username, password);

  async function workerPage(locale) {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    await signIn(page, "worker.forms", WORKER_PASSWORD);
    await expectPath(page, "/");
    return page;
  }

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), "casekeep-forms-"));
    server = startCasekeep(dataDir);
    process.once("exit", killOnExit);
    const first = await server.ready;
    base = first.url;
    browser = await launchChromium();
    admin = await (await browser.newContext({ locale: "en-US" })).newPage();
    await signIn(admin, first.username, first.password);
    await expectPath(admin, "/account/password");
    await admin.fill("#current_password", first.password);
    await admin.fill("#new_password", NEW_PASSWORD);
    await admin.fill("#confirm_password", NEW_PASSWORD);
    await admin.click('main form[action="/account/password"] button[type=submit]');
    await setUpSecondFactor(admin);
    await admin.goto(`${base}/`);
    await expectPath(admin, "/");
    // A caseworker, made the way an administrator does it on the server. The configuration
    // rejects unknown CASEKEEP_ keys, so none of ours are passed on.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("CASEKEEP_")),
    );
    env.CASEKEEP_STORAGE__DATA_DIR = dataDir;
    execFileSync(
      BIN,
      ["user", "create", "--username", "worker.forms", "--role", "caseworker", "--password-stdin"],
      {
        input: `${WORKER_PASSWORD}\n`,
        cwd: dataDir,
        env,
      },
    );
  });

  after(async () => {
    await browser?.close();
    await stopCasekeep(server?.child);
    process.removeListener("exit", killOnExit);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("the standard forms are there on a fresh instance", async () => {
    await admin.click('nav a[href="/admin"]');
    await expectPath(admin, "/admin");
    await admin.click('a[href="/admin/forms"]');
    await expectPath(admin, "/admin/forms");
    for (const id of ["basic_identity", "family_details", "cp_case_plan", "closure_form"]) {
      assert.equal(await admin.locator(`a[href="/admin/forms/${id}"]`).count(), 1, id);
    }
  });

  it("an administrator adds a lookup with translations", async () => {
    await admin.goto(`${base}/admin/lookups`);
    await admin.fill("#lk-id", "school-type");
    await admin.fill("#lk-label", "School type");
    await admin.click('main form[action="/admin/lookups"] button[type=submit]');
    await expectPath(admin, "/admin/lookups/lookup-school-type");
    await admin.fill("#label-fr", "Type d’école");
    await admin.fill("#label-ar", "نوع المدرسة");
    for (const [id, en, fr, ar] of [
      ["primary", "Primary", "Primaire", "ابتدائية"],
      ["secondary", "Secondary", "Secondaire", "ثانوية"],
    ]) {
      await admin.fill("#new-option-id", id);
      await admin.fill("#new-option-en", en);
      await admin.fill("#new-option-fr", fr);
      await admin.fill("#new-option-ar", ar);
      await admin.click('main form[action="/admin/lookups/lookup-school-type"] button[type=submit]');
      await expectPath(admin, "/admin/lookups/lookup-school-type");
    }
    assert.equal(await admin.locator('input[value="Secondaire"]').count(), 1);
  });

  it("an administrator adds a field with French and Arabic labels", async () => {
    await admin.goto(`${base}/admin/forms/basic_identity`);
    await admin.fill("#nf-name", "school_type");
    await admin.fill("#nf-label", "School type");
    await admin.selectOption("#nf-type", "select");
    await admin.click('main form[action="/admin/forms/basic_identity/fields"] button[type=submit]');
    await expectPath(admin, "/admin/forms/basic_identity/fields/school_type");
    await admin.fill("#label-fr", "Type d’école");
    await admin.fill("#label-ar", "نوع المدرسة");
    await admin.fill("#help-en", "The school the child attends now");
    await admin.selectOption("#choices", "lookup");
    await admin.selectOption("#lookup", "lookup-school-type");
    await admin.click("main form.fieldeditor button[type=submit]");
    await expectPath(admin, "/admin/forms/basic_identity/fields/school_type");
    assert.equal(await admin.inputValue("#label-ar"), "نوع المدرسة");
    await screenshot(admin, "forms-field-editor.png");

    await admin.goto(`${base}/admin/forms/basic_identity/preview?lang=ar`);
    const preview = admin.locator(".preview");
    assert.equal(await preview.getAttribute("dir"), "rtl");
    assert.ok((await preview.textContent()).includes("نوع المدرسة"));
  });

  it("a caseworker sees the field in each language and fills it in", async () => {
    for (const [locale, label, option, dir] of [
      ["fr-FR", "Type d’école", "Primaire", "ltr"],
      ["ar", "نوع المدرسة", "ابتدائية", "rtl"],
    ]) {
      const page = await workerPage(locale);
      await page.goto(`${base}/cases/new`);
      assert.equal((await htmlAttributes(page)).dir, dir);
      const field = page.locator('label[for="f-school_type"]');
      assert.equal((await field.textContent()).trim(), label);
      const options = await page.locator("#f-school_type option").allTextContents();
      assert.ok(options.includes(option), `${locale}: ${options}`);
      await screenshot(page, `forms-new-case-${locale}.png`);
      await page.context().close();
    }

    const page = await workerPage("en-US");
    await page.goto(`${base}/cases/new`);
    await page.fill("#f-name_first", "Nadia");
    await page.fill("#f-name_last", "Buildertest");
    await page.selectOption("#f-sex", "female");
    await page.fill("#f-age", "11");
    await page.selectOption("#f-school_type", "secondary");
    await page.click("main form.recordform button[type=submit]");
    await page.waitForURL((u) => /^\/cases\/[0-9a-f-]{36}$/.test(u.pathname));
    const text = await page.locator("main").textContent();
    assert.ok(text.includes("School type") && text.includes("Secondary"), text);
  });

  it("conditional fields appear only when their condition holds", async () => {
    const page = await workerPage("en-US");
    await page.goto(`${base}/cases/new`);
    const other = page.locator('[data-show-if="f-closure_reason"]');
    assert.equal(await other.count(), 1);
    assert.equal(await other.isVisible(), false);
    await page.selectOption("#f-closure_reason", "other");
    assert.equal(await other.isVisible(), true);
    await page.context().close();
  });
});
