import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { LoginForm } from "./LoginForm";
import { renderUI, stubFetch } from "../test/render";

describe("LoginForm", () => {
  it("signs in with password, then the SMS code", async () => {
    const calls = stubFetch({
      "POST /api/v1/auth/login": { mfa_required: true, mfa_token: "mfa1", mfa_methods: ["sms"] },
      "POST /api/v1/auth/mfa/sms": () => new Response(null, { status: 204 }),
      "POST /api/v1/auth/mfa/verify": { access_token: "a" },
    });
    const done = vi.fn();
    renderUI(<LoginForm onDone={done} />);
    await userEvent.type(screen.getByLabelText(/E-mail/), "anna@example.com");
    await userEvent.type(screen.getByLabelText(/^Password/), "kassa-demo-2026");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await screen.findByText("We sent a code to your phone. Enter it below.");
    await userEvent.type(screen.getByLabelText(/^Code/), "123456");
    await userEvent.click(screen.getByRole("button", { name: "Verify" }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    const verify = calls.find((c) => c.url.endsWith("/mfa/verify"))!;
    expect(await verify.json()).toEqual({ mfa_token: "mfa1", method: "sms", code: "123456" });
  });

  it("shows a wrong password as an error and keeps what was typed", async () => {
    stubFetch({
      "POST /api/v1/auth/login": () => new Response(JSON.stringify({ code: "bad_credentials", status: 401, title: "x", detail: "Wrong e-mail or password." }), { status: 401 }),
    });
    renderUI(<LoginForm onDone={() => undefined} />);
    await userEvent.type(screen.getByLabelText(/E-mail/), "x@example.com");
    await userEvent.type(screen.getByLabelText(/^Password/), "nope-nope-nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong e-mail or password.");
    expect(screen.getByLabelText(/E-mail/)).toHaveValue("x@example.com");
  });
});
