// Unit tests of the extension's logic that needs no VS Code: server path resolution and settings.
import { strict as assert } from "node:assert";
import { test } from "node:test";

import {
  Settings,
  ServerPathContext,
  dryRunCommand,
  expandPath,
  hintStyle,
  importsPyinfra,
  initializationOptions,
  resolveServerPath,
} from "../src/config";

function ctx(over: Partial<ServerPathContext> = {}): ServerPathContext {
  return {
    extensionPath: "/ext",
    platform: "linux",
    workspaceFolder: "/ws",
    homeDir: "/home/u",
    exists: () => false,
    ...over,
  };
}

const defaults: Settings = {
  serverPath: "",
  execPath: "rinfra-exec",
  inventory: "inventory.py",
  factCache: "",
  hints: "inlay",
};

test("the setting wins over a shipped binary", () => {
  assert.equal(resolveServerPath("/opt/rinfra-lsp", ctx({ exists: () => true })), "/opt/rinfra-lsp");
});

test("setting paths expand ~, ${workspaceFolder} and relative paths", () => {
  assert.equal(resolveServerPath("~/bin/rinfra-lsp", ctx()), "/home/u/bin/rinfra-lsp");
  assert.equal(resolveServerPath("${workspaceFolder}/target/rinfra-lsp", ctx()), "/ws/target/rinfra-lsp");
  assert.equal(resolveServerPath("target/debug/rinfra-lsp", ctx()), "/ws/target/debug/rinfra-lsp");
  assert.equal(resolveServerPath("  /opt/x  ", ctx()), "/opt/x");
});

test("a bare command name in the setting is left for PATH", () => {
  assert.equal(resolveServerPath("rinfra-lsp-nightly", ctx()), "rinfra-lsp-nightly");
});

test("without a setting the shipped binary is used when present", () => {
  const seen: string[] = [];
  const exists = (f: string): boolean => {
    seen.push(f);
    return true;
  };
  assert.equal(resolveServerPath("", ctx({ exists })), "/ext/bin/rinfra-lsp");
  assert.deepEqual(seen, ["/ext/bin/rinfra-lsp"]);
  assert.equal(resolveServerPath(" ", ctx({ exists, platform: "win32" })), "/ext/bin/rinfra-lsp.exe");
});

test("without a setting or shipped binary PATH is searched", () => {
  assert.equal(resolveServerPath("", ctx()), "rinfra-lsp");
  assert.equal(resolveServerPath("", ctx({ platform: "win32" })), "rinfra-lsp.exe");
});

test("without a workspace, relative paths stay relative", () => {
  assert.equal(expandPath("bin/rinfra-lsp", { workspaceFolder: undefined, homeDir: "/h" }), "bin/rinfra-lsp");
});

test("settings become initialization options", () => {
  assert.deepEqual(initializationOptions(defaults, ctx()), { inventory: "/ws/inventory.py", hints: "inlay" });
  assert.deepEqual(initializationOptions({ ...defaults, factCache: "~/.cache/rinfra", hints: "codeLens" }, ctx()), {
    inventory: "/ws/inventory.py",
    hints: "codeLens",
    factCache: "/home/u/.cache/rinfra",
  });
  assert.equal(initializationOptions({ ...defaults, inventory: "" }, ctx()).inventory, "/ws/inventory.py");
});

test("an unknown hint style falls back to inlay", () => {
  assert.equal(hintStyle("off"), "off");
  assert.equal(hintStyle("virtual"), "inlay");
  assert.equal(hintStyle(""), "inlay");
});

test("the dry run plans the file against the inventory", () => {
  assert.deepEqual(dryRunCommand(defaults, "/ws/deploy.py", ctx()), {
    command: "rinfra-exec",
    args: ["/ws/inventory.py", "/ws/deploy.py", "--dry"],
  });
  assert.equal(dryRunCommand({ ...defaults, execPath: "~/bin/rinfra-exec" }, "d.py", ctx()).command, "/home/u/bin/rinfra-exec");
});

test("only files importing pyinfra are deploys", () => {
  assert.ok(importsPyinfra("from pyinfra.operations import apt\n"));
  assert.ok(importsPyinfra("import os\nimport pyinfra\n"));
  assert.ok(importsPyinfra("from pyinfra import host\n"));
  assert.ok(!importsPyinfra("import pyinfrastructure\n"));
  assert.ok(!importsPyinfra("# from pyinfra import host\nprint(1)\n"));
});
