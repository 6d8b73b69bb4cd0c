// What both apps share on every page: sign-in, the layout with its navigation, the data-freshness
// banner, the loading / empty / error states, a small router and the labels' language (charts:
// chart.tsx, imported only by the pages that draw one, so an app without charts ships no ECharts).
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useState,
  type FormEvent,
  type ReactNode,
} from "react";

import { api, ApiFailure, rowsOf } from "./api";
import { formatDateTime, type Locale } from "./format";
import { dictionaries, saveLocale, savedLocale, type LabelKey } from "./i18n";
import { currentSession, signIn, signOut, type Session } from "./session";

// --- language ----------------------------------------------------------------------------------------
interface LanguageContext {
  locale: Locale;
  t: (key: LabelKey) => string;
  setLocale: (locale: Locale) => void;
}

const Language = createContext<LanguageContext>({
  locale: "pt-BR",
  t: (key) => dictionaries["pt-BR"][key],
  setLocale: () => undefined,
});

export function useT(): LanguageContext {
  return useContext(Language);
}

function LanguageProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(savedLocale());
  useEffect(() => {
    document.documentElement.lang = locale === "en" ? "en" : "pt-BR";
  }, [locale]);
  const setLocale = (next: Locale) => {
    saveLocale(next);
    setLocaleState(next);
  };
  return (
    <Language.Provider value={{ locale, setLocale, t: (key) => dictionaries[locale][key] }}>
      {children}
    </Language.Provider>
  );
}

// --- tables ------------------------------------------------------------------------------------------
/** A header cell: its label's key, or num(key) for a number column (right-aligned, like its cells). */
export type HeaderCell = LabelKey | { label: LabelKey; num: true };

export function num(label: LabelKey): HeaderCell {
  return { label, num: true };
}

/** A table's header row, one labelled column header per cell, in the page's language. */
export function TableHead({ columns }: { columns: HeaderCell[] }) {
  const { t } = useT();
  return (
    <thead>
      <tr>
        {columns.map((cell) =>
          typeof cell === "string" ? (
            <th key={cell} scope="col">
              {t(cell)}
            </th>
          ) : (
            <th key={cell.label} scope="col" className="num">
              {t(cell.label)}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

// --- routing (paths under the app's base, history API; the web service answers deep links) ----------
const RouteContext = createContext<{ path: string; navigate: (to: string) => void; base: string }>({
  path: "/",
  navigate: () => undefined,
  base: "/",
});

function currentPath(base: string): string {
  const path = window.location.pathname.startsWith(base)
    ? window.location.pathname.slice(base.length - 1)
    : "/";
  return (path || "/") + window.location.search;
}

export function useRoute() {
  return useContext(RouteContext);
}

export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const { navigate, base, path } = useRoute();
  const current = path.split("?")[0] === to.split("?")[0];
  return (
    <a
      href={base.replace(/\/$/, "") + to}
      className={className}
      aria-current={current ? "page" : undefined}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

// --- data loading ------------------------------------------------------------------------------------
export type Loaded<T> =
  | { state: "loading" }
  | { state: "error"; failure: ApiFailure }
  | { state: "ready"; data: T };

/** Run a load when its inputs change; failures become ApiFailure (401 signs the user out). */
export function useLoad<T>(load: () => Promise<T>, inputs: readonly unknown[]): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: "loading" });
  const [attempt, setAttempt] = useState(0);
  const session = useContext(SessionContext);
  useEffect(() => {
    let current = true;
    setResult({ state: "loading" });
    load().then(
      (data) => current && setResult({ state: "ready", data }),
      (error: unknown) => {
        if (!current) return;
        const failure =
          error instanceof ApiFailure ? error : new ApiFailure("network", String(error), 0);
        if (failure.kind === "unauthorized") session.expire();
        setResult({ state: "error", failure });
      },
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...inputs, attempt]);
  return [result, useCallback(() => setAttempt((n) => n + 1), [])];
}

/** Loading, error (with retry) and empty states around the content. */
export function Show<T>({
  loaded,
  retry,
  children,
  isEmpty,
}: {
  loaded: Loaded<T>;
  retry: () => void;
  children: (data: T) => ReactNode;
  isEmpty?: (data: T) => boolean;
}) {
  const { t } = useT();
  if (loaded.state === "loading") {
    return (
      <p className="state" role="status" aria-live="polite">
        {t("loading")}
      </p>
    );
  }
  if (loaded.state === "error") {
    const { kind, message } = loaded.failure;
    const text =
      kind === "forbidden"
        ? t("notAllowed")
        : kind === "unauthorized"
          ? t("sessionExpired")
          : kind === "network"
            ? t("networkError")
            : message;
    return (
      <div className="state error" role="alert" data-failure={kind}>
        <p>{text}</p>
        {kind !== "forbidden" && kind !== "unauthorized" && (
          <button type="button" onClick={retry}>
            {t("retry")}
          </button>
        )}
      </div>
    );
  }
  if (isEmpty?.(loaded.data)) {
    return (
      <p className="state empty" role="status">
        {t("empty")}
      </p>
    );
  }
  return <>{children(loaded.data)}</>;
}

// --- freshness ---------------------------------------------------------------------------------------
/** When the data on this page was published, and a warning when the last refresh was blocked. */
export function Freshness({ domain }: { domain: string }) {
  const { t, locale } = useT();
  const [loaded] = useLoad(
    async () => rowsOf(await api().from("data_status").select("*").eq("domain", domain)),
    [domain],
  );
  if (loaded.state !== "ready") return <div className="freshness" aria-hidden="true" />;
  const published = loaded.data
    .map((row) => row.last_published_at)
    .filter((value): value is string => Boolean(value))
    .sort()
    .at(-1);
  const blocked = loaded.data.some((row) => row.last_attempt_outcome === "blocked" || row.last_attempt_outcome === "failed");
  return (
    <div className={blocked ? "freshness warning" : "freshness"} role={blocked ? "alert" : "status"} data-testid="freshness">
      {published ? `${t("freshness")} ${formatDateTime(published, locale)}` : t("freshnessNever")}
      {blocked && <strong> {t("freshnessBlocked")}</strong>}
    </div>
  );
}

// --- session and layout ------------------------------------------------------------------------------
const SessionContext = createContext<{ session: Session | null; expire: () => void }>({
  session: null,
  expire: () => undefined,
});

export function useSession(): Session {
  const { session } = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in page");
  return session;
}

function SignIn({ title, onSignedIn, notice }: { title: string; onSignedIn: (s: Session) => void; notice?: string }) {
  const { t } = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const result = await signIn(String(form.get("username") ?? ""), String(form.get("password") ?? ""));
      if (result.ok) onSignedIn(result.session);
      else setError(result.status === 401 ? t("wrongCredentials") : result.message);
    } catch {
      setError(t("networkError"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <h1>{title}</h1>
      <form onSubmit={submit} aria-label={t("signInTitle")}>
        <h2>{t("signInTitle")}</h2>
        {notice && <p className="notice">{notice}</p>}
        <label>
          {t("username")}
          <input name="username" autoComplete="username" required autoFocus />
        </label>
        <label>
          {t("password")}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? t("signingIn") : t("signIn")}
        </button>
      </form>
      <LanguagePicker />
    </main>
  );
}

function LanguagePicker() {
  const { t, locale, setLocale } = useT();
  return (
    <label className="language">
      {t("language")}
      <select value={locale} onChange={(event) => setLocale(event.target.value as Locale)}>
        <option value="pt-BR">Português (Brasil)</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}

export interface NavItem {
  to: string;
  label: LabelKey;
}

export interface AppProps {
  titleKey: LabelKey;
  base: string;
  domain: string;
  nav: (session: Session) => NavItem[];
  render: (path: string, session: Session) => ReactNode;
}

/** The whole app: sign-in until there is a session, then the layout around the routed page. */
export function App(props: AppProps) {
  return (
    <LanguageProvider>
      <Shell {...props} />
    </LanguageProvider>
  );
}

function Shell({ titleKey, base, domain, nav, render }: AppProps) {
  const { t } = useT();
  const [session, setSession] = useState<Session | null>(currentSession());
  const [notice, setNotice] = useState<string | undefined>();
  const [path, setPath] = useState(currentPath(base));
  useEffect(() => {
    const onPop = () => setPath(currentPath(base));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, [base]);
  useEffect(() => {
    document.title = `${t(titleKey)} · bi-dash`;
  }, [t, titleKey]);
  const navigate = useCallback(
    (to: string) => {
      window.history.pushState(null, "", base.replace(/\/$/, "") + to);
      setPath(to);
      window.scrollTo(0, 0);
    },
    [base],
  );
  const expire = useCallback(() => {
    signOut();
    setSession(null);
    setNotice(t("sessionExpired"));
  }, [t]);
  if (!session) {
    return (
      <SignIn
        title={t(titleKey)}
        notice={notice}
        onSignedIn={(signedIn) => {
          setNotice(undefined);
          setSession(signedIn);
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={{ session, expire }}>
      <RouteContext.Provider value={{ path, navigate, base }}>
        <a className="skip" href="#content">
          {t("skipToContent")}
        </a>
        <header className="top">
          <span className="brand">{t(titleKey)}</span>
          <nav aria-label={t("mainNav")}>
            {nav(session).map((item) => (
              <Link key={item.to} to={item.to}>
                {t(item.label)}
              </Link>
            ))}
          </nav>
          <span className="who">
            {t("signedInAs")} <strong data-testid="username">{session.username}</strong> ({session.role})
          </span>
          <LanguagePicker />
          <button
            type="button"
            onClick={() => {
              signOut();
              setSession(null);
            }}
          >
            {t("signOut")}
          </button>
        </header>
        <Freshness domain={domain} />
        <main id="content" tabIndex={-1}>
          {render(path, session)}
        </main>
      </RouteContext.Provider>
    </SessionContext.Provider>
  );
}
