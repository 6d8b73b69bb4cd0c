import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

import { defineConfig } from "vite";

// served by the platform's web service at /customer-360/ (orchestration/runtime/web.py)
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/customer-360/",
  plugins: [react()],
  build: { target: "es2022", outDir: "../dist/customer-360", emptyOutDir: true, chunkSizeWarningLimit: 1200 },
});
