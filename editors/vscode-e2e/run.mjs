// The packaged extension in a real VS Code: installs the .vsix into code-server (VS Code 1.100 in
// a browser), opens a deploy with one known problem in Chromium and waits for the Problems panel
// to show the diagnostic that the rinfra-lsp shipped in the .vsix reported. No rinfra-lsp is on
// PATH and `rinfra.server.path` is unset, so the bundled binary is the only server there is.
//
//   node run.mjs ../vscode/rinfra.vsix      (after `sh setup.sh`; needs /usr/bin/chromium)
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const codeServer = path.join(here, "node_modules", "code-server", "out", "node", "entry.js");
const browserPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const vsix = path.resolve(process.argv[2] ?? path.join(here, "..", "vscode", "rinfra.vsix"));
const EXPECTED = "Unknown argument `updat` for `apt.packages`; did you mean `update`?";

assert.ok(existsSync(codeServer), "code-server is not installed: run `sh setup.sh` first");
assert.ok(existsSync(browserPath), `no Chromium at ${browserPath} (apt-get install chromium, or set CHROMIUM)`);
assert.ok(existsSync(vsix), `no .vsix at ${vsix}: run \`npm run package\` in editors/vscode`);

const work = mkdtempSync(path.join(tmpdir(), "rinfra-vscode-e2e-"));
const dirs = { data: path.join(work, "data"), extensions: path.join(work, "extensions"), ws: path.join(work, "ws") };
for (const dir of Object.values(dirs)) mkdirSync(dir);
writeFileSync(path.join(dirs.ws, "deploy.py"), 'from pyinfra.operations import apt\n\napt.packages(packages=["nginx"], updat=True)\n');
// The workspace's own, empty cache: the server takes the nearest `.rinfra/` above a deploy, and a
// run started in the temp folder itself (`rinfra-exec HOSTS exec -- true` from /tmp) leaves one there.
mkdirSync(path.join(dirs.ws, ".rinfra"));
writeFileSync(path.join(work, "config.yaml"), "auth: none\ncert: false\n");

// PATH without any directory holding a rinfra-lsp, so only the bundled server can answer.
const PATH = (process.env.PATH ?? "")
  .split(path.delimiter)
  .filter((dir) => dir !== "" && !existsSync(path.join(dir, "rinfra-lsp")))
  .join(path.delimiter);
const env = { ...process.env, PATH };
const common = ["--config", path.join(work, "config.yaml"), "--user-data-dir", dirs.data, "--extensions-dir", dirs.extensions];

let server;
let browser;
try {
  const install = spawnSync(process.execPath, [codeServer, ...common, "--install-extension", vsix], { env, encoding: "utf8" });
  assert.equal(install.status, 0, `installing the .vsix failed:\n${install.stdout}${install.stderr}`);
  const [installed] = readdirSync(dirs.extensions).filter((d) => d.startsWith("rinfra.rinfra-"));
  assert.ok(installed, `the extension is not in ${dirs.extensions}`);
  const bundled = path.join(dirs.extensions, installed, "bin", "rinfra-lsp");
  assert.equal(statSync(bundled).mode & 0o111, 0o111, `${bundled} is installed executable`);

  server = spawn(
    process.execPath,
    [codeServer, ...common, "--bind-addr", "127.0.0.1:0", "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", dirs.ws],
    { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let log = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${log}`)), 60000);
    const onData = (chunk) => {
      log += chunk;
      const match = /HTTP server listening on (http:\/\/[^\s]+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    server.stdout.on("data", onData);
    server.stderr.on("data", onData);
    server.on("exit", (code) => reject(new Error(`code-server exited (${code}):\n${log}`)));
  });

  // Chromium as this machine runs it: no sandbox as root, no background connections (refused here).
  browser = await chromium.launch({
    executablePath: browserPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(new URL(`?folder=${encodeURIComponent(dirs.ws)}`, url).href);
  await page.waitForSelector(".monaco-workbench", { timeout: 90000 });
  // Quick Open the deploy (the explorer may not have rendered yet: retry until an editor shows it).
  await waitFor(async () => {
    await page.keyboard.press("Control+P");
    await page.waitForSelector(".quick-input-widget input", { timeout: 5000 });
    await page.keyboard.type("deploy.py");
    await page.waitForTimeout(500);
    await page.keyboard.press("Enter");
    return (await page.locator(".editor-instance .view-lines").count()) > 0;
  }, "deploy.py to open in an editor");
  await page.keyboard.press("Control+Shift+M");
  const problems = await waitFor(async () => {
    const text = await page.locator(".markers-panel").innerText().catch(() => "");
    return text.includes(EXPECTED) ? text : undefined;
  }, `the Problems panel to show: ${EXPECTED}`);
  assert.match(problems, /RI002/, "the diagnostic carries rinfra's code");
  // The "would change" hint reaches the editor too, as an inlay hint at the end of the call (no
  // fact cache here, so it says how to make one).
  await waitFor(async () => {
    // The editor renders spaces as other space characters; VS Code shortens long hints with "…".
    const text = await page.locator(".editor-instance .view-lines").innerText().catch(() => "");
    return /updat=True\)\s*facts\s+unknown\s+—\s+run\s+rinfra-exec\s+INVENTORY/.test(text);
  }, "the inlay hint on the apt.packages call");
  assert.match(problems, /\[Ln 3, Col 34\]/, "at the unknown argument");
  // The server that answered is the one from the .vsix.
  const servers = processesRunning(bundled);
  assert.ok(servers.length > 0, `no ${bundled} process: the extension started another server`);
  await page.screenshot({ path: path.join(tmpdir(), "rinfra-vscode-e2e.png") });
  console.log(`vscode-e2e: code-server ${codeServerVersion()} ran ${installed} from ${path.basename(vsix)}; Problems: ${EXPECTED} (RI002, Ln 3, Col 34); inlay hint shown`);
} finally {
  await browser?.close();
  if (server?.pid !== undefined && server.exitCode === null) {
    process.kill(-server.pid, "SIGTERM"); // its process group: code-server, extension host, rinfra-lsp
  }
  rmSync(work, { recursive: true, force: true });
}

/** Polls `check` until it returns something truthy; fails with `what` after a minute. */
async function waitFor(check, what, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ""}`);
}

/** Pids whose command line starts with `binary`. */
function processesRunning(binary) {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0] === binary;
      } catch {
        return false;
      }
    });
}

function codeServerVersion() {
  return JSON.parse(readFileSync(path.join(here, "node_modules", "code-server", "package.json"), "utf8")).version;
}
