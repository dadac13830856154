/** `npm start` on a fresh clone: build the web client once if it has not been built yet. */
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
if (!existsSync(join(root, "client", "dist", "index.html"))) {
  console.log(JSON.stringify({ level: "info", msg: "building the web client (first start)" }));
  const r = Bun.spawnSync(["npm", "run", "build:client"], { cwd: root, stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) process.exit(r.exitCode ?? 1);
}
