// Bundles the extension and vscode-languageclient into one file; `vscode` is provided by the editor.
import { build } from "esbuild";

await build({
  entryPoints: ["src/extension.ts"],
  bundle: true,
  outfile: "dist/extension.js",
  external: ["vscode"],
  format: "cjs",
  platform: "node",
  target: "node18",
  minify: true,
  sourcemap: false,
  logLevel: "warning",
});
