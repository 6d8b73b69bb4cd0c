// The signed-in session: the token /rpc/login signs inside PostgreSQL, kept in this tab's
// sessionStorage (see README "Signing in"): it survives a reload of the page, is gone when the tab
// closes, is never sent by the browser on its own (no cookie: no cross-site request forgery), and the
// platform secret that signs it never reaches the browser.

import type { Role } from "./vocabulary";

export type { Role };

export interface Session {
  token: string;
  username: string;
  role: Role;
  employee_id: string | null;
  expires_at: string;
}

const SESSION_KEY = "bi-dash.session";

export interface AppConfig {
  apiUrl: string;
}

let config: AppConfig | null = null;

/** The API's address, from the web service that serves the app (/app-config.json). */
export async function loadConfig(): Promise<AppConfig> {
  if (config) return config;
  const response = await fetch("/app-config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`app-config.json: HTTP ${response.status}`);
  config = (await response.json()) as AppConfig;
  return config;
}

export function apiUrl(): string {
  if (!config) throw new Error("loadConfig() first");
  return config.apiUrl;
}

export function currentSession(): Session | null {
  const stored = sessionStorage.getItem(SESSION_KEY);
  if (!stored) return null;
  try {
    const session = JSON.parse(stored) as Session;
    if (new Date(session.expires_at).getTime() <= Date.now()) {
      sessionStorage.removeItem(SESSION_KEY);
      return null;
    }
    return session;
  } catch {
    sessionStorage.removeItem(SESSION_KEY);
    return null;
  }
}

export type SignInResult = { ok: true; session: Session } | { ok: false; message: string; status: number };

export async function signIn(username: string, password: string): Promise<SignInResult> {
  const response = await fetch(`${apiUrl()}/rpc/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<Session> & { message?: string };
  if (!response.ok || !body.token) {
    return { ok: false, status: response.status, message: body.message ?? `HTTP ${response.status}` };
  }
  const session: Session = {
    token: body.token,
    username: body.username ?? username,
    role: body.role as Role,
    employee_id: body.employee_id ?? null,
    expires_at: body.expires_at ?? new Date(Date.now() + 3_600_000).toISOString(),
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return { ok: true, session };
}

/** Forget the token in this tab (it stays valid until it expires, at most 8 h after sign-in). */
export function signOut(): void {
  sessionStorage.removeItem(SESSION_KEY);
}
