import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter } from "react-router";
import { theme } from "../providers";

export function renderUI(ui: ReactElement, { route = "/" } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider theme={theme}>
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

/** A fetch stub that answers by "METHOD /path" with JSON (status 200 unless given). */
export function stubFetch(routes: Record<string, unknown | ((req: Request) => Response | Promise<Response>)>) {
  const calls: Request[] = [];
  const fn = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(typeof input === "string" && input.startsWith("/") ? `http://localhost${input}` : input, init);
    calls.push(req);
    const key = `${req.method} ${new URL(req.url).pathname}`;
    const hit = routes[key];
    if (hit === undefined) return new Response(JSON.stringify({ code: "not_found", title: "nf", status: 404 }), { status: 404 });
    if (typeof hit === "function") return hit(req);
    return new Response(JSON.stringify(hit), { status: 200, headers: { "content-type": "application/json" } });
  };
  globalThis.fetch = fn as typeof fetch;
  return calls;
}
