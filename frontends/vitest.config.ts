import { defineConfig } from "vitest/config";

// unit tests of the shared helpers (formatting, hh:mm, period comparison): pure functions, node only
export default defineConfig({
  test: { include: ["shared/src/**/*.test.ts"], environment: "node" },
});
