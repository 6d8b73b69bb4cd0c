import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

import { defineConfig } from "vite";

// served by the platform's web service at /ponto/ (orchestration/runtime/web.py)
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/ponto/",
  plugins: [react()],
  build: { target: "es2022", outDir: "../dist/ponto", emptyOutDir: true, chunkSizeWarningLimit: 1200 },
});
