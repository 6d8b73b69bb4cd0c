// controle_ponto: employees, managers and HR over the API; each sees what the API lets the role see
// (row-level security), the pages only choose what to ask. Resources: the dbt exposure
// controle_ponto_dashboard (tests/e2e compares it with what this code queries).
import "@bi-dash/shared/styles.css";

import { createRoot } from "react-dom/client";

import type { NavItem } from "@bi-dash/shared/ui";
import { loadConfig, type Session } from "@bi-dash/shared/session";
import { App } from "@bi-dash/shared/ui";

import { AnomaliesPage } from "./anomalies";
import { ClosePage } from "./close";
import { MonthPage } from "./month";
import { TeamPage } from "./team";

function nav(session: Session): NavItem[] {
  const items: NavItem[] = [];
  if (session.employee_id) items.push({ to: "/", label: "myMonth" });
  if (session.role === "manager") items.push({ to: "/team", label: "team" });
  if (session.role === "hr") {
    items.push({ to: "/team", label: "employees" }, { to: "/anomalies", label: "anomalies" }, { to: "/close", label: "monthClose" });
  }
  return items;
}

function route(path: string, session: Session) {
  const [pathname = "/", query = ""] = path.split("?");
  const params = new URLSearchParams(query);
  const person = pathname.match(/^\/people\/([^/]+)$/);
  if (person?.[1]) return <MonthPage employeeId={decodeURIComponent(person[1])} month={params.get("month")} />;
  if (pathname === "/team" && session.role !== "employee") return <TeamPage month={params.get("month")} />;
  if (pathname === "/anomalies" && session.role === "hr") return <AnomaliesPage kind={params.get("kind") ?? ""} />;
  if (pathname === "/close" && session.role === "hr") return <ClosePage month={params.get("month")} />;
  if (session.employee_id) return <MonthPage employeeId={session.employee_id} month={params.get("month")} own />;
  return <TeamPage month={params.get("month")} />;
}

await loadConfig();
createRoot(document.getElementById("root")!).render(
  <App titleKey="appPonto" base="/ponto/" domain="controle_ponto" nav={nav} render={route} />,
);
