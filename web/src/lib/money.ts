// Money arrives as integer minor units + an ISO 4217 code. We never do float arithmetic on it:
// amounts are BigInt/strings until Intl.NumberFormat renders a decimal string.

const exponentCache = new Map<string, number>();

/** The currency's minor-unit exponent (USD 2, JPY 0, BHD 3), as Intl knows it. */
export function minorExponent(currency: string): number {
  const code = currency.toUpperCase();
  let e = exponentCache.get(code);
  if (e === undefined) {
    try {
      e = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    } catch {
      e = 2;
    }
    exponentCache.set(code, e);
  }
  return e;
}

/** "12345" minor units with exponent 2 → "123.45" (exact, any size). */
export function minorToDecimalString(minor: number | bigint | string, currency: string): string {
  const exp = minorExponent(currency);
  let v = BigInt(minor);
  const neg = v < 0n;
  if (neg) v = -v;
  const digits = v.toString().padStart(exp + 1, "0");
  const whole = digits.slice(0, digits.length - exp);
  const frac = exp ? "." + digits.slice(digits.length - exp) : "";
  return (neg ? "-" : "") + whole + frac;
}

export interface FormatOptions {
  signDisplay?: "auto" | "always" | "exceptZero" | "never";
}

/** Formats minor units per currency and locale: formatMoney(123456, "USD", "en") → "$1,234.56". */
export function formatMoney(
  minor: number | bigint | string,
  currency: string,
  locale?: string,
  opts: FormatOptions = {},
): string {
  const exp = minorExponent(currency);
  const fmt = new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
    signDisplay: opts.signDisplay ?? "auto",
  });
  // Intl.NumberFormat takes a decimal string exactly (no float rounding on large amounts).
  return fmt.format(minorToDecimalString(minor, currency) as unknown as number);
}

/**
 * Parses what a user typed ("1,234.5", "1234,50", "12") into minor units, or null when it is
 * not a valid positive amount for the currency. Accepts "." or "," as the decimal separator.
 */
export function parseAmountToMinor(text: string, currency: string): number | null {
  const exp = minorExponent(currency);
  let s = text.trim().replace(/[\s\u00a0\u202f']/g, "");
  if (!s) return null;
  const lastSep = Math.max(s.lastIndexOf("."), s.lastIndexOf(","));
  let whole = s;
  let frac = "";
  if (lastSep >= 0 && s.length - lastSep - 1 <= exp && s.length - lastSep - 1 > 0) {
    whole = s.slice(0, lastSep);
    frac = s.slice(lastSep + 1);
  } else if (lastSep === s.length - 1) {
    whole = s.slice(0, -1);
  }
  whole = whole.replace(/[.,]/g, "");
  if (!/^\d+$/.test(whole || "0") || !/^\d*$/.test(frac)) return null;
  s = (whole || "0") + frac.padEnd(exp, "0");
  const v = BigInt(s);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(v);
}
