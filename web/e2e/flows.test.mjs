// End-to-end flows in a real browser against a real `kassa demo` server.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { apiGet, apiLogin, launch, newPage, PASSWORD, shot, signIn, waitForMail, BASE } from "./lib.mjs";

let browser;
let staff; // bearer token of the bank admin, for test helpers
let annaPhone;
let annaNumber; // Anna's current account number, read in her signed-in browser session

before(async () => {
  browser = await launch();
  staff = await apiLogin("admin@kassa.example");
  annaPhone = (await apiGet(staff, "/api/v1/admin/users?search=anna%40example.com"))[0].phone;
});
after(async () => {
  await browser?.close();
});

test("customer signs in with password and SMS code (2FA)", async () => {
  const { context, page } = await newPage(browser);
  await page.goto("/login");
  await shot(page, "01-login");
  await page.getByLabel(/^E-mail( \*)?$/).fill("anna@example.com");
  await page.getByLabel(/^Password( \*)?$/).fill("wrong-password-123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "Wrong e-mail or password" }).waitFor();
  await page.getByLabel(/^Password( \*)?$/).fill(PASSWORD);
  const since = Date.now();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("Second factor").waitFor();
  await shot(page, "02-login-sms-code");
  const { smsCode } = await import("./lib.mjs");
  const code = await smsCode(staff, annaPhone, since);
  await page.getByLabel(/^Code( \*)?$/).fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("heading", { name: "Accounts" }).waitFor();
  // A customer sees only their sections: no administration.
  assert.equal(await page.getByRole("link", { name: "Users" }).count(), 0);
  assert.equal(await page.getByRole("link", { name: "Audit log" }).count(), 0);
  await page.getByTestId("account-card").first().waitFor();
  await shot(page, "03-customer-accounts");
  annaNumber = await page.evaluate(async () => {
    const list = await (await fetch("/api/v1/accounts")).json();
    const cur = list.find((a) => a.product === "current");
    return (await (await fetch(`/api/v1/accounts/${cur.id}`)).json()).number;
  });
  await context.close();
});

test("staff creates a user; the confirmation e-mail arrives over SMTP; the link sets a password", async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, "admin@kassa.example");
  await page.getByRole("link", { name: "Users" }).click();
  await page.getByRole("heading", { name: "Users" }).waitFor();
  await page.getByText("anna@example.com").waitFor();
  await shot(page, "04-admin-users");
  const email = `e2e-${Date.now()}@example.org`;
  await page.getByRole("button", { name: "New user" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel(/^Full name( \*)?$/).fill("Eeva Testinen");
  await dialog.getByLabel(/^E-mail( \*)?$/).fill(email);
  await dialog.getByLabel(/^Phone \(for SMS codes\)/).fill("+358409998877");
  await shot(page, "05-admin-create-user");
  const since = Date.now();
  await dialog.getByRole("button", { name: "Create and send invitation" }).click();
  await page.getByRole("heading", { name: "Eeva Testinen" }).waitFor();
  await page.getByText("Access per section").waitFor();
  await page.locator("tr[data-section='accounts']").waitFor();
  await shot(page, "06-admin-user-access-matrix");
  const mail = await waitForMail(email, since);
  const link = /(https?:\/\/[^\s"<>]*set-password\?token=[^\s"<>]+)/.exec(mail.replace(/=\r?\n/g, "").replace(/=3D/g, "="));
  assert.ok(link, "the e-mail carries the set-password link");
  const url = new URL(link[1]);
  // Follow the link on this server (the e-mail's host may be the configured public URL).
  const { page: p2, context: c2 } = await newPage(browser);
  await p2.goto(`${url.pathname}${url.search}`);
  await p2.getByLabel(/^New password( \*)?$/).fill("a-long-new-password-2026");
  await p2.getByLabel(/^Repeat the password( \*)?$/).fill("a-long-new-password-2026");
  await p2.getByRole("button", { name: "Set password" }).click();
  await p2.getByText("Your password is set").waitFor();
  await shot(p2, "07-set-password-done");
  await c2.close();
  await context.close();
});

test("a revoked section disappears and its API calls are refused", async () => {
  const admin = await newPage(browser);
  await signIn(admin.page, "admin@kassa.example");
  const auditor = await newPage(browser);
  await signIn(auditor.page, "auditor@kassa.example");
  await auditor.page.getByRole("link", { name: "Audit log" }).click();
  await auditor.page.getByTestId("audit-verify").waitFor();
  await shot(auditor.page, "08-audit-log");

  // The admin denies the auditor the audit section.
  const auditorId = (await apiGet(staff, "/api/v1/admin/users?search=auditor%40kassa.example"))[0].id;
  await admin.page.goto(`/admin/users/${auditorId}`);
  const row = admin.page.locator("tr[data-section='audit']");
  await row.getByText("Deny").click();
  await admin.page.getByTestId("effective-audit").filter({ hasText: "No access" }).waitFor();
  await shot(admin.page, "09-access-denied-audit");

  // Effective at once: the API refuses, and the section is gone after a reload.
  const status = await auditor.page.evaluate(async () => (await fetch("/api/v1/audit/records")).status);
  assert.equal(status, 403);
  await auditor.page.reload();
  await auditor.page.getByTestId("not-allowed").waitFor();
  assert.equal(await auditor.page.getByRole("link", { name: "Audit log" }).count(), 0);
  await shot(auditor.page, "10-auditor-after-revoke");

  // Put it back (roles decide).
  await row.getByText("Roles decide").click();
  await admin.page.getByTestId("effective-audit").filter({ hasText: "Read-only" }).waitFor();
  await admin.context.close();
  await auditor.context.close();
});

test("customer transfers money, sees it in the history in real time, downloads the receipt", async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, "ben@example.com");
  const accounts = await page.evaluate(async () => (await fetch("/api/v1/accounts")).json());
  const from = accounts[0];
  // Anna's current account number: the recipient ("another customer").
  if (!annaNumber) {
    const { apiLoginSms } = await import("./lib.mjs");
    const annaToken = await apiLoginSms("anna@example.com", staff, annaPhone);
    const annaCurrent = (await apiGet(annaToken, "/api/v1/accounts")).find((a) => a.product === "current");
    annaNumber = (await apiGet(annaToken, `/api/v1/accounts/${annaCurrent.id}`)).number;
  }
  const anna = { number: annaNumber };
  assert.ok(anna.number, "Anna's account number");

  // A second tab shows Ben's account history: the transfer must appear there live (SSE).
  const watcher = await context.newPage();
  await watcher.goto(`/accounts/${from.id}`);
  await watcher.getByTestId("history").waitFor();
  await watcher.waitForTimeout(1500); // the event stream is connected
  const before = await watcher.getByTestId("tx-row").count();

  await page.goto("/transfer");
  await page.getByRole("combobox", { name: /^From account/ }).click();
  await page.getByRole("option").first().click();
  await page.getByText("Another customer", { exact: true }).click();
  // A wrong recipient number: the error shows next to the field.
  await page.getByLabel(/^Recipient's account number( \*)?$/).fill("1234 5678 9999");
  await page.getByLabel(/^Amount/).fill("12.34");
  await page.getByLabel(/^Message( \*)?$/).fill("Concert tickets");
  await page.getByRole("button", { name: "Send money" }).click();
  await page.getByText("No account with this number.").waitFor();
  await shot(page, "11-transfer-field-error");
  await page.getByLabel(/^Recipient's account number( \*)?$/).fill(anna.number);
  await page.getByRole("button", { name: "Send money" }).click();
  await page.getByTestId("transfer-done").waitFor();
  await shot(page, "12-transfer-done");

  await watcher.getByText("Concert tickets").first().waitFor({ timeout: 20_000 });
  assert.ok((await watcher.getByTestId("tx-row").count()) >= before);
  await shot(watcher, "13-history-live");
  await watcher.getByText("Concert tickets").first().click();
  const dl = watcher.waitForEvent("download");
  await watcher.getByRole("button", { name: "Download receipt (PDF)" }).click();
  const download = await dl;
  const path = await download.path();
  const { readFileSync } = await import("node:fs");
  assert.equal(readFileSync(path).subarray(0, 5).toString(), "%PDF-");
  await shot(watcher, "14-transaction-details");
  await context.close();
});

test("customer writes feedback; staff answers it and the customer is e-mailed", async () => {
  const subject = `Statement layout ${Date.now()}`;
  const ben = await newPage(browser);
  await signIn(ben.page, "ben@example.com");
  await ben.page.getByRole("link", { name: "Feedback", exact: true }).click();
  await ben.page.getByRole("heading", { name: "Feedback" }).waitFor();
  await ben.page.getByRole("button", { name: "New message" }).click();
  await ben.page.getByLabel(/^Subject( \*)?$/).fill(subject);
  await ben.page.getByLabel(/^Message( \*)?$/).fill("Could the PDF statement show running balances?");
  await shot(ben.page, "20-feedback-new");
  await ben.page.getByRole("button", { name: "Send", exact: true }).click();
  await ben.page.getByRole("heading", { name: subject }).waitFor();
  await ben.page.getByTestId("support-message").first().waitFor();

  const staffPage = await newPage(browser);
  await signIn(staffPage.page, "operator@kassa.example");
  await staffPage.page.getByRole("link", { name: "Feedback inbox" }).click();
  await staffPage.page.getByRole("link", { name: subject }).click();
  await staffPage.page.getByRole("heading", { name: subject }).waitFor();
  await staffPage.page.getByLabel(/^Answer to the customer/).fill("Good idea: we have noted it for the next release.");
  const since = Date.now();
  await staffPage.page.getByRole("button", { name: "Send answer" }).click();
  await staffPage.page.getByText("Answered", { exact: true }).waitFor();
  await shot(staffPage.page, "21-feedback-staff-answer");
  const mail = await waitForMail("ben@example.com", since);
  assert.match(mail, /Kassa answered/);
  await staffPage.page.getByRole("button", { name: "Close", exact: true }).click();
  await staffPage.page.getByText("This conversation is closed.").waitFor();

  await ben.page.reload();
  await ben.page.getByText("Good idea: we have noted it for the next release.").waitFor();
  await ben.page.getByText("Closed", { exact: true }).waitFor();
  await shot(ben.page, "22-feedback-customer-sees-answer");
  await ben.context.close();
  await staffPage.context.close();
});

test("staff pages render: monitoring, approvals, phone width", async () => {
  const { context, page } = await newPage(browser);
  await signIn(page, "admin@kassa.example");
  await page.goto("/monitoring");
  await page.getByText("Security events, last 24 hours").waitFor();
  await page.waitForTimeout(5500);
  await shot(page, "15-monitoring");
  await page.goto("/admin/approvals");
  await page.getByText("Approval policies").waitFor();
  await shot(page, "16-approvals");
  await page.goto("/profile");
  await page.getByText("Active sessions").waitFor();
  await shot(page, "17-profile");
  await context.close();
  const mobile = await newPage(browser, { mobile: true });
  await signIn(mobile.page, "ben@example.com");
  await mobile.page.getByTestId("account-card").first().waitFor();
  await shot(mobile.page, "18-phone-accounts");
  await mobile.page.getByRole("button", { name: "Open the menu" }).click();
  await shot(mobile.page, "19-phone-menu");
  await mobile.context.close();
  void BASE;
});
