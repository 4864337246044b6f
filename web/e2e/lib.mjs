// Helpers for the end-to-end tests: Debian's chromium via playwright-core, a real Kassa server.
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const BASE = process.env.KASSA_BASE_URL ?? "http://127.0.0.1:8765";
export const MAIL_DIR = process.env.KASSA_MAIL_DIR ?? "var/e2e/mail";
export const SHOTS = process.env.KASSA_SCREENSHOTS ?? "artifacts/screenshots";
export const PASSWORD = "kassa-demo-2026";
mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

export async function newPage(browser, { mobile = false } = {}) {
  const context = await browser.newContext({
    baseURL: BASE,
    viewport: mobile ? { width: 390, height: 844 } : { width: 1366, height: 900 },
    acceptDownloads: true,
    timezoneId: "Europe/Helsinki",
    locale: "en-GB",
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

export async function shot(page, name) {
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Bearer token for API calls from the test itself (staff helpers: SMS outbox, setup). */
export async function apiLogin(email) {
  const r = await fetch(`${BASE}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: PASSWORD }) });
  const body = await r.json();
  if (!body.access_token) throw new Error(`API login failed for ${email}: ${JSON.stringify(body)}`);
  return body.access_token;
}

export async function apiGet(token, path) {
  const r = await fetch(`${BASE}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

/** The newest SMS code sent to a phone after `since` (the dev SMS outbox, read as staff). */
export async function smsCode(staffToken, phone, since) {
  for (let i = 0; i < 50; i++) {
    const list = await apiGet(staffToken, `/api/v1/admin/sms?phone=${encodeURIComponent(phone)}&limit=5`);
    const fresh = list.filter((m) => new Date(m.created_at).getTime() >= since - 2000);
    fresh.sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    const m = fresh[0] && /(\d{6})/.exec(fresh[0].body);
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no SMS code for ${phone}`);
}

/** Waits for an .eml in the mail catcher's folder addressed to `to`; returns its text. */
export async function waitForMail(to, since, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    let files = [];
    try {
      files = readdirSync(MAIL_DIR).filter((f) => f.endsWith(".eml"));
    } catch {
      /* not created yet */
    }
    for (const f of files) {
      const p = join(MAIL_DIR, f);
      if (statSync(p).mtimeMs < since - 2000) continue;
      const text = readFileSync(p, "utf8");
      if (text.toLowerCase().includes(to.toLowerCase())) return text;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no e-mail to ${to} in ${MAIL_DIR}`);
}

/** Signs in through the login page (password; then the SMS code when asked). */
export async function signIn(page, email, { staffToken, phone } = {}) {
  await page.goto("/login");
  await page.getByLabel(/^E-mail( \*)?$/).fill(email);
  await page.getByLabel(/^Password( \*)?$/).fill(PASSWORD);
  const since = Date.now();
  await page.getByRole("button", { name: "Sign in" }).click();
  if (phone) {
    await page.getByText("Second factor").waitFor();
    const code = await smsCode(staffToken, phone, since);
    await page.getByLabel(/^Code( \*)?$/).fill(code);
    await page.getByRole("button", { name: "Verify" }).click();
  }
  await page.getByTestId("user-menu").waitFor();
}

/** Bearer token for a user with SMS 2FA (password, SMS code from the outbox, verify). */
export async function apiLoginSms(email, staffToken, phone) {
  const post = (path, body) => fetch(`${BASE}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => { const t = await r.text(); return t ? JSON.parse(t) : {}; });
  const first = await post("/api/v1/auth/login", { email, password: PASSWORD });
  if (!first.mfa_required) return first.access_token;
  const since = Date.now();
  await post("/api/v1/auth/mfa/sms", { mfa_token: first.mfa_token });
  const code = await smsCode(staffToken, phone, since);
  const out = await post("/api/v1/auth/mfa/verify", { mfa_token: first.mfa_token, method: "sms", code });
  return out.access_token;
}
