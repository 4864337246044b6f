// Dates come as ISO 8601 instants; they are shown in the user's time zone (profile setting,
// else the browser's).

let userTimeZone: string | undefined;

export function setUserTimeZone(tz: string | undefined) {
  try {
    if (tz) new Intl.DateTimeFormat("en", { timeZone: tz });
    userTimeZone = tz || undefined;
  } catch {
    userTimeZone = undefined;
  }
}

export function timeZone(): string {
  return userTimeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function formatDateTime(iso: string | null | undefined, locale?: string): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: timeZone(),
  }).format(new Date(iso));
}

export function formatDate(iso: string | null | undefined, locale?: string): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: timeZone() }).format(
    new Date(iso),
  );
}

/** yyyy-mm-dd of an instant in the user's time zone (for <input type=date> defaults). */
export function isoDay(d: Date): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    timeZone: timeZone(),
  }).format(d);
  return parts;
}

/** The UTC instant at which a local day (yyyy-mm-dd, user's zone) begins. */
export function startOfDayInZone(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d);
  const offset = zoneOffsetMinutes(new Date(guess));
  return new Date(guess - offset * 60_000).toISOString();
}

function zoneOffsetMinutes(at: Date): number {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone: timeZone(),
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - at.getTime()) / 60_000);
}
