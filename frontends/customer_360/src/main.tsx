// customer_360: the commercial team's dashboard over the API (resources listed in the dbt exposure
// customer_360_dashboard; tests/e2e compares that list with what this code queries).
import "@bi-dash/shared/styles.css";

import { createRoot } from "react-dom/client";

import { loadConfig } from "@bi-dash/shared/session";
import { App } from "@bi-dash/shared/ui";

import { CustomerPage } from "./customer";
import { CustomersPage } from "./customers";
import { OverviewPage } from "./overview";

function route(path: string) {
  const [pathname = "/", query = ""] = path.split("?");
  const profile = pathname.match(/^\/customers\/([^/]+)$/);
  if (profile?.[1]) return <CustomerPage id={decodeURIComponent(profile[1])} />;
  if (pathname === "/customers") return <CustomersPage query={query} />;
  return <OverviewPage />;
}

await loadConfig();
createRoot(document.getElementById("root")!).render(
  <App
    titleKey="appCustomers"
    base="/customer-360/"
    domain="customer_360"
    nav={() => [
      { to: "/", label: "overview" },
      { to: "/customers", label: "customers" },
    ]}
    render={(path) => route(path)}
  />,
);
