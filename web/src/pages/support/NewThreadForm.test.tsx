import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { NewThreadForm } from "./NewThreadForm";
import { renderUI, stubFetch } from "../../test/render";

const created = {
  id: "t1", customer_user_id: "u1", customer_name: "Anna Virtanen", customer_email: "anna@example.com",
  subject: "Card fee", status: "open", related_account_id: null, related_transfer_id: null,
  created_at: "2026-11-25T10:00:00Z", updated_at: "2026-11-25T10:00:00Z", message_count: 1, messages: [],
};

describe("NewThreadForm", () => {
  it("checks the fields, then sends subject and message", async () => {
    const calls = stubFetch({ "POST /api/v1/support/threads": () => new Response(JSON.stringify(created), { status: 201, headers: { "content-type": "application/json" } }) });
    const done = vi.fn();
    renderUI(<NewThreadForm onCreated={done} />);
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("Enter a subject.")).toBeInTheDocument();
    expect(screen.getByText("Write a message.")).toBeInTheDocument();
    expect(calls).toHaveLength(0);
    await userEvent.type(screen.getByLabelText(/^Subject/), "  Card fee ");
    await userEvent.type(screen.getByLabelText(/^Message/), "Why was I charged twice?");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(done).toHaveBeenCalledWith(created));
    expect(await calls[0].json()).toEqual({ subject: "Card fee", body: "Why was I charged twice?" });
  });

  it("shows the server's field errors next to the field", async () => {
    stubFetch({
      "POST /api/v1/support/threads": () =>
        new Response(JSON.stringify({ code: "validation_error", status: 422, title: "x", errors: [{ field: "body", message: "Too long", type: "string_too_long" }] }), { status: 422 }),
    });
    renderUI(<NewThreadForm onCreated={() => undefined} />);
    await userEvent.type(screen.getByLabelText(/^Subject/), "Hi");
    await userEvent.type(screen.getByLabelText(/^Message/), "Hello");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("Too long")).toBeInTheDocument();
    expect(screen.getByLabelText(/^Message/)).toHaveValue("Hello");
  });
});
