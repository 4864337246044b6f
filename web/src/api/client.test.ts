import { apiFetch, ApiError, call, api, session } from "./client";
import { stubFetch } from "../test/render";

describe("api client", () => {
  beforeEach(() => {
    document.cookie = "kassa_csrf=tok123; path=/";
    session.setSignedIn(true);
  });

  it("sends the CSRF header on state changes, not on reads", async () => {
    const calls = stubFetch({ "GET /api/v1/me": { id: "u" }, "POST /api/v1/auth/logout": {} });
    await apiFetch("/api/v1/me");
    await apiFetch("/api/v1/auth/logout", { method: "POST" });
    expect(calls[0].headers.get("X-CSRF-Token")).toBeNull();
    expect(calls[1].headers.get("X-CSRF-Token")).toBe("tok123");
  });

  it("refreshes once on an expired token and retries the request with its body", async () => {
    let n = 0;
    const calls = stubFetch({
      "POST /api/v1/admin/users": async (req) => {
        n += 1;
        if (n === 1) return new Response(JSON.stringify({ code: "token_expired", status: 401, title: "x" }), { status: 401 });
        return new Response(JSON.stringify(await req.json()), { status: 201 });
      },
      "POST /api/v1/auth/refresh": {},
    });
    const res = await apiFetch("/api/v1/admin/users", { method: "POST", body: JSON.stringify({ email: "a@b.c" }) });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ email: "a@b.c" });
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual(["/api/v1/admin/users", "/api/v1/auth/refresh", "/api/v1/admin/users"]);
  });

  it("pauses a request when the session is gone and re-runs it after sign-in", async () => {
    let signedIn = false;
    stubFetch({
      "GET /api/v1/audit/verify": () =>
        signedIn ? new Response(JSON.stringify({ ok: true }), { status: 200 }) : new Response(JSON.stringify({ code: "session_revoked", status: 401, title: "x" }), { status: 401 }),
    });
    const expired: boolean[] = [];
    const off = session.subscribe((e) => expired.push(e));
    const pending = apiFetch("/api/v1/audit/verify");
    await new Promise((r) => setTimeout(r, 10));
    expect(session.expired).toBe(true);
    signedIn = true;
    session.resume(true);
    expect((await pending).status).toBe(200);
    expect(expired).toEqual([true, false]);
    off();
  });

  it("turns problem+json into ApiError with field errors", async () => {
    stubFetch({
      "POST /api/v1/admin/organisations": () =>
        new Response(JSON.stringify({ code: "validation_error", status: 422, title: "Invalid", detail: "Check the fields.", errors: [{ field: "body.name", message: "Required", type: "missing" }] }), {
          status: 422,
          headers: { "content-type": "application/problem+json" },
        }),
    });
    const err = await call(api.POST("/api/v1/admin/organisations", { body: { name: "", kind: "company" } })).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("validation_error");
    expect(err.fieldErrors()).toEqual({ name: "Required" });
  });
});
