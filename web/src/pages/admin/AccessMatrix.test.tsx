import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Notifications } from "@mantine/notifications";
import { AccessMatrix } from "./UserDetail";
import { renderUI, stubFetch } from "../../test/render";

const rows = (override: string | null, effective: string) => [
  { section: "audit", from_roles: "read", override, effective },
  { section: "accounts", from_roles: "none", override: null, effective: "none" },
];

describe("AccessMatrix", () => {
  it("denies a section and shows the new effective level", async () => {
    const calls = stubFetch({
      "GET /api/v1/admin/users/u1/access": rows(null, "read"),
      "PUT /api/v1/admin/users/u1/access/audit": rows("none", "none"),
    });
    renderUI(<><Notifications /><AccessMatrix userId="u1" writable /></>);
    const row = (await screen.findByText("Audit")).closest("tr")!;
    expect(within(row).getByTestId("effective-audit")).toHaveTextContent("Read-only");
    await userEvent.click(within(row).getByText("Deny"));
    await waitFor(() => expect(screen.getByTestId("effective-audit")).toHaveTextContent("No access"));
    const put = calls.find((c) => c.method === "PUT")!;
    expect(await put.json()).toEqual({ level: "none" });
  });

  it("says 'sent for approval' when maker-checker holds the change", async () => {
    stubFetch({
      "GET /api/v1/admin/users/u1/access": rows(null, "read"),
      "PUT /api/v1/admin/users/u1/access/audit": () =>
        new Response(JSON.stringify({ approval_required: true, approval: { id: "a", summary: "Deny audit", status: "pending" } }), { status: 202 }),
    });
    renderUI(<><Notifications /><AccessMatrix userId="u1" writable /></>);
    const row = (await screen.findByText("Audit")).closest("tr")!;
    await userEvent.click(within(row).getByText("Deny"));
    expect(await screen.findByText("Sent for approval")).toBeInTheDocument();
  });
});
