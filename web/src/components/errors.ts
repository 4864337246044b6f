import type { TFunction } from "i18next";
import { ApiError } from "../api/client";

/** A human sentence for an error: a translated message for known codes, else the server's detail. */
export function errorText(e: unknown, t: TFunction): string {
  if (e instanceof ApiError) {
    const key = `errors.${e.code}`;
    const translated = t(key, { defaultValue: "" });
    if (translated) return translated;
    if (e.detail) return e.detail;
    if (e.status === 403) return t("errors.forbidden");
    return t("errors.generic", { status: e.status });
  }
  return t("errors.network");
}
