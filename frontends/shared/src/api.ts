// The API client every page uses: postgrest-js typed by database.ts, with the session's token, and
// one classification of failures (401 → sign in again, 403 → not allowed, network → retry).
import { PostgrestClient } from "@supabase/postgrest-js";

import type { Database } from "./database";
import { apiUrl, currentSession } from "./session";

export type Api = PostgrestClient<Database, {}, "api">;

export function api(): Api {
  const session = currentSession();
  return new PostgrestClient<Database, {}, "api">(apiUrl(), {
    headers: session ? { Authorization: `Bearer ${session.token}` } : {},
  });
}

export type FailureKind = "unauthorized" | "forbidden" | "network" | "other";

export class ApiFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function failureKind(status: number): FailureKind {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 0 || status >= 502) return "network";
  return "other";
}

/** The rows of a postgrest-js answer, or an ApiFailure saying what went wrong. */
export function rowsOf<T>(answer: { data: T | null; error: { message: string } | null; status: number }): T {
  if (answer.error || answer.data === null) {
    const status = answer.status;
    throw new ApiFailure(failureKind(status), answer.error?.message ?? `HTTP ${status}`, status);
  }
  return answer.data;
}

/** Offer text the API produced (e.g. its CSV, Accept: text/csv) as a file download. */
export function saveText(text: string, filename: string, type = "text/csv;charset=utf-8"): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(link.href);
}
