// The typed API client: openapi-fetch over Kassa's generated schema, plus what a browser
// session needs — the CSRF double submit, one silent refresh on an expired access token, and
// a pause (not a page change) when the session is gone: the app asks the user to sign in
// again on top of the current page, then re-runs the request, so nothing typed is lost.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string | null;
  readonly errors: FieldError[];
  readonly problem: Partial<Problem>;
  constructor(status: number, problem: Partial<Problem>) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code ?? `http_${status}`;
    this.detail = problem.detail ?? null;
    this.errors = problem.errors ?? [];
    this.problem = problem;
  }
  /** Validation messages keyed by field name (the last part of the error's location). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) {
      const name = e.field.split(".").pop() ?? e.field;
      out[name] = out[name] ? `${out[name]}; ${e.message}` : e.message;
    }
    return out;
  }
}

export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
const REFRESHABLE = new Set(["token_expired", "not_authenticated"]);
const NO_RETRY_PATHS = ["/api/v1/auth/login", "/api/v1/auth/mfa/", "/api/v1/auth/refresh", "/api/v1/auth/password/setup"];

// --- session-expired hand-off -------------------------------------------------------------
type Listener = (expired: boolean) => void;
const listeners = new Set<Listener>();
let waiters: Array<(ok: boolean) => void> = [];
let expired = false;
let signedIn = false;

export const session = {
  get expired() {
    return expired;
  },
  /** Whether someone is signed in: only then does a lost session pause requests. */
  setSignedIn(v: boolean) {
    signedIn = v;
  },
  subscribe(fn: Listener) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
  /** The session is gone: requests wait until the user signs in again (or gives up). */
  expire() {
    if (!expired) {
      expired = true;
      listeners.forEach((l) => l(true));
    }
    return new Promise<boolean>((resolve) => waiters.push(resolve));
  },
  /** Called after a successful sign-in (ok) or when the user leaves for the login page. */
  resume(ok: boolean) {
    expired = false;
    const w = waiters;
    waiters = [];
    w.forEach((r) => r(ok));
    listeners.forEach((l) => l(false));
  },
};

let refreshing: Promise<boolean> | null = null;
export function refreshSession(): Promise<boolean> {
  if (!refreshing) {
    refreshing = fetch("/api/v1/auth/refresh", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": readCookie("kassa_csrf") ?? "" },
    })
      .then((r) => r.ok)
      .catch(() => false)
      .finally(() => {
        setTimeout(() => (refreshing = null), 0);
      });
  }
  return refreshing;
}

async function problemOf(res: Response): Promise<Partial<Problem>> {
  try {
    return (await res.clone().json()) as Partial<Problem>;
  } catch {
    return { title: res.statusText, status: res.status, code: `http_${res.status}` };
  }
}

/** fetch() with cookies, CSRF header, refresh-and-retry and the re-login pause. */
export async function apiFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const target = typeof input === "string" || input instanceof URL ? new URL(input, location.href) : input;
  const original = new Request(target, { credentials: "same-origin", ...init });
  const path = new URL(original.url, location.origin).pathname;
  const retryable = !NO_RETRY_PATHS.some((p) => path.startsWith(p));
  const body = SAFE.has(original.method) ? undefined : await original.clone().arrayBuffer();
  const send = () => {
    const headers = new Headers(original.headers);
    if (!SAFE.has(original.method)) headers.set("X-CSRF-Token", readCookie("kassa_csrf") ?? "");
    return fetch(
      new Request(original.url, {
        method: original.method,
        headers,
        body,
        credentials: "same-origin",
        signal: original.signal,
      }),
    );
  };
  let res = await send();
  if (res.status !== 401 || !retryable) return res;
  const problem = await problemOf(res);
  if (REFRESHABLE.has(problem.code ?? "") && (await refreshSession())) {
    res = await send();
    if (res.status !== 401) return res;
  }
  if (!signedIn) return res;
  // The session is over: wait for the user to sign in again on top of the page, then retry.
  if (await session.expire()) return send();
  return res;
}

export const api = createClient<paths>({ baseUrl: location.origin, fetch: (req: Request) => apiFetch(req) });

/** Unwraps an openapi-fetch result: returns data or throws ApiError. */
export async function call<T>(
  p: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await p;
  if (!response.ok) {
    const problem = (error && typeof error === "object" ? error : {}) as Partial<Problem>;
    throw new ApiError(response.status, problem);
  }
  return data as T;
}

/** Downloads a file from an API path (PDF receipts, statements) as the signed-in user. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await apiFetch(path);
  if (!res.ok) throw new ApiError(res.status, await problemOf(res));
  const disposition = res.headers.get("Content-Disposition") ?? "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A fresh idempotency key for money-moving calls. */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
