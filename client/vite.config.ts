import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

export default defineConfig({
  root: __dirname,
  plugins: [solid(), tailwindcss()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  // `npm run dev`: Vite serves the client and proxies the API and the socket to the server on :3000.
  server: {
    port: 5173,
    proxy: { "/api": "http://localhost:3000", "/ws": { target: "ws://localhost:3000", ws: true } },
  },
});
