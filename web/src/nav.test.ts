import { homePath, visibleNav } from "./nav";
import type { Me } from "./auth/session";

const base: Me = { id: "u", email: "e", full_name: "F", kind: "staff", org_id: "o", org_name: "Bank", phone_masked: null, locale: "en", timezone: "UTC", totp_enabled: false, sms_2fa_enabled: false, permissions: {} };

describe("navigation per permissions", () => {
  it("shows a staff user only the sections granted", () => {
    const me: Me = { ...base, permissions: { audit: "read" } };
    expect(visibleNav(me).map((n) => n.to)).toEqual(["/audit", "/profile"]);
    expect(homePath(me)).toBe("/audit");
  });
  it("shows a customer accounts and transfers, never admin pages", () => {
    const me: Me = { ...base, kind: "individual", permissions: { accounts: "write" } };
    expect(visibleNav(me).map((n) => n.to)).toEqual(["/accounts", "/transfer", "/profile"]);
  });
  it("hides transfers with read-only access", () => {
    const me: Me = { ...base, kind: "individual", permissions: { accounts: "read" } };
    expect(visibleNav(me).map((n) => n.to)).toEqual(["/accounts", "/profile"]);
  });
});
