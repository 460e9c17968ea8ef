// Packages a platform-specific .vsix with a rinfra-lsp binary in `bin/`.
//
//   RINFRA_LSP_BIN      the rinfra-lsp to ship (default: ../../target/release/rinfra-lsp when it
//                       exists, else ../../target/debug/rinfra-lsp)
//   RINFRA_VSIX_TARGET  vsce's --target (default: this machine's, e.g. linux-x64)
//   RINFRA_VSIX_OUT     the .vsix to write (default: rinfra.vsix)
//
// The binary is copied, made executable and asked for --version before vsce runs, so a missing or
// foreign-architecture binary fails here with its path rather than in the user's editor.
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const repo = path.resolve(root, "..", "..");

/** vsce's name for this machine's platform, e.g. `linux-x64`, `darwin-arm64`, `win32-x64`. */
function vsceTarget(platform = process.platform, arch = process.arch) {
  const known = ["linux-x64", "linux-arm64", "linux-armhf", "darwin-x64", "darwin-arm64", "win32-x64", "win32-arm64"];
  const name = `${platform}-${arch === "arm" ? "armhf" : arch}`;
  if (!known.includes(name)) {
    throw new Error(`no vsce target for ${platform}/${arch}; set RINFRA_VSIX_TARGET`);
  }
  return name;
}

function defaultBinary() {
  const exe = process.platform === "win32" ? "rinfra-lsp.exe" : "rinfra-lsp";
  const release = path.join(repo, "target", "release", exe);
  return existsSync(release) ? release : path.join(repo, "target", "debug", exe);
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

const source = path.resolve(process.env.RINFRA_LSP_BIN || defaultBinary());
const target = process.env.RINFRA_VSIX_TARGET || vsceTarget();
const out = process.env.RINFRA_VSIX_OUT || "rinfra.vsix";
if (!existsSync(source)) {
  fail(`no rinfra-lsp at ${source}: build it (cargo build -p rinfra-lsp) or set RINFRA_LSP_BIN`);
}

const binDir = path.join(root, "bin");
rmSync(binDir, { recursive: true, force: true });
mkdirSync(binDir);
const shipped = path.join(binDir, target.startsWith("win32") ? "rinfra-lsp.exe" : "rinfra-lsp");
copyFileSync(source, shipped);
chmodSync(shipped, 0o755);
if (target === vsceTarget()) {
  try {
    const version = execFileSync(shipped, ["--version"], { encoding: "utf8" }).trim();
    if (!version.startsWith("rinfra-lsp ")) fail(`${source} answers --version with "${version}", not rinfra-lsp`);
    console.log(`package: shipping ${version} from ${source} for ${target}`);
  } catch (e) {
    fail(`${source} does not answer --version: ${e.message}`);
  }
} else {
  console.log(`package: shipping ${source} for ${target} (not runnable here, not checked)`);
}

const vsce = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "vsce.cmd" : "vsce");
execFileSync(
  vsce,
  ["package", "--target", target, "--skip-license", "--allow-missing-repository", "--no-dependencies", "-o", out],
  { cwd: root, stdio: "inherit" },
);
