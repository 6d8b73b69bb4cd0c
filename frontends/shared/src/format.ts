// Formatting for people in Brazil (pt-BR by default, English on request) and the period arithmetic the
// dashboards share. Pure functions: unit-tested with vitest (format.test.ts).

import { DEFAULT_TIME_ZONE } from "./vocabulary";

export type Locale = "pt-BR" | "en";

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = locale + JSON.stringify(options);
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale === "en" ? "en-US" : "pt-BR", options);
    numberFormats.set(key, format);
  }
  return format;
}

/** Money is always Brazilian reais; only the separators follow the locale. */
export function formatMoney(value: number | null | undefined, locale: Locale = "pt-BR"): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return numberFormat(locale, { style: "currency", currency: "BRL" }).format(value);
}

export function formatNumber(
  value: number | null | undefined,
  locale: Locale = "pt-BR",
  fractionDigits = 0,
): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return numberFormat(locale, {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(value);
}

/** A share (0.1234) as a percentage ("12,3 %" in pt-BR). */
export function formatPercent(value: number | null | undefined, locale: Locale = "pt-BR"): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return numberFormat(locale, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(
    value,
  );
}

/** Minutes as hh:mm, signed when negative: 485 → "08:05", -30 → "-00:30", 6000 → "100:00". */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || Number.isNaN(minutes)) return "—";
  const sign = minutes < 0 ? "-" : "";
  const total = Math.round(Math.abs(minutes));
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  return `${sign}${String(hours).padStart(2, "0")}:${String(rest).padStart(2, "0")}`;
}

/** A timesheet row's overtime: the minutes paid at 50 % plus those paid at 100 % (a missing part is 0). */
export function overtimeMinutes(row: {
  overtime_50_minutes?: number | null;
  overtime_100_minutes?: number | null;
}): number {
  return (row.overtime_50_minutes ?? 0) + (row.overtime_100_minutes ?? 0);
}

/** A calendar date (yyyy-mm-dd, no time zone) as dd/mm/yyyy (pt-BR) or mm/dd/yyyy (en). */
export function formatDate(value: string | null | undefined, locale: Locale = "pt-BR"): string {
  if (!value) return "—";
  const [year, month, day] = value.slice(0, 10).split("-");
  if (!year || !month || !day) return value;
  return locale === "en" ? `${month}/${day}/${year}` : `${day}/${month}/${year}`;
}

/** An instant in the given zone (the employee's or Brasília's), date and time to the minute. */
export function formatDateTime(
  value: string | null | undefined,
  locale: Locale = "pt-BR",
  timeZone = DEFAULT_TIME_ZONE,
): string {
  if (!value) return "—";
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return value;
  return new Intl.DateTimeFormat(locale === "en" ? "en-US" : "pt-BR", {
    dateStyle: "short",
    timeStyle: "short",
    timeZone,
  }).format(instant);
}

/** Only the time of an instant, hh:mm in the given zone. */
export function formatTime(value: string | null | undefined, timeZone = DEFAULT_TIME_ZONE): string {
  if (!value) return "—";
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return value;
  return new Intl.DateTimeFormat("pt-BR", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone }).format(
    instant,
  );
}

// --- periods ---------------------------------------------------------------------------------------
export interface Period {
  from: string; // first day, yyyy-mm-dd
  to: string; // last day, yyyy-mm-dd (inclusive)
}

function toDays(date: string): number {
  const [year, month, day] = date.split("-").map(Number);
  return Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1) / 86_400_000;
}

function fromDays(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromDays(toDays(date) + days);
}

export function periodLength(period: Period): number {
  return toDays(period.to) - toDays(period.from) + 1;
}

/** The period of the same length that ends the day before this one starts. */
export function previousPeriod(period: Period): Period {
  const length = periodLength(period);
  return { from: addDays(period.from, -length), to: addDays(period.from, -1) };
}

/** Relative change against the previous period: null when there is nothing to compare with. */
export function relativeChange(current: number, previous: number): number | null {
  if (!Number.isFinite(current) || !Number.isFinite(previous) || previous === 0) return null;
  return (current - previous) / Math.abs(previous);
}

/** The month (yyyy-mm) a date falls in, and its first and last day. */
export function monthPeriod(month: string): Period {
  const [year, monthNumber] = month.split("-").map(Number);
  const first = `${month}-01`;
  const last = fromDays(Date.UTC(year ?? 1970, monthNumber ?? 1, 1) / 86_400_000 - 1);
  return { from: first, to: last };
}

export function shiftMonth(month: string, delta: number): string {
  const [year, monthNumber] = month.split("-").map(Number);
  const index = (year ?? 1970) * 12 + (monthNumber ?? 1) - 1 + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}
