// Checks a packaged .vsix: the bundled extension, README, icon and the manifest's `contributes` are
// there, no sources or node_modules slipped in, and the shipped rinfra-lsp is executable and, once
// extracted, answers --version and serves diagnostics over stdio. A .vsix is a zip; read its central
// directory.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { inflateRawSync } from "node:zlib";
import assert from "node:assert/strict";

import { firstDiagnostics } from "./lsp-client.mjs";

function entries(zip) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, "not a zip file");
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, "bad central directory");
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    // The upper half of the external attributes is the Unix mode (vsce writes it from the file).
    const mode = zip.readUInt32LE(at + 38) >>> 16;
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLen);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + size);
    const read = () => (method === 8 ? inflateRawSync(raw) : raw);
    read.mode = mode;
    out.set(name, read);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

const file = process.argv[2] ?? "rinfra.vsix";
const files = entries(readFileSync(file));
// vsce stores the README as `readme.md`; compare names case-insensitively.
const lower = new Set([...files.keys()].map((n) => n.toLowerCase()));
for (const name of ["extension/dist/extension.js", "extension/readme.md", "extension/icon.png", "extension/package.json"]) {
  assert.ok(lower.has(name), `${file} lacks ${name}: ${[...files.keys()].join(", ")}`);
}
for (const name of files.keys()) {
  assert.ok(!/node_modules|\/src\/|\.ts$/.test(name), `${file} should not hold ${name}`);
}
const bundle = files.get("extension/dist/extension.js")().toString();
assert.ok(bundle.includes("rinfra.restartServer"), "the bundle registers the commands");
assert.ok(!/require\("vscode-languageclient/.test(bundle), "vscode-languageclient is bundled, not required");

const manifest = JSON.parse(files.get("extension/package.json")().toString());
assert.equal(manifest.main, "./dist/extension.js");
const commands = manifest.contributes.commands.map((c) => c.command).sort();
assert.deepEqual(commands, ["rinfra.refreshFacts", "rinfra.restartServer", "rinfra.showPlan"]);
const props = Object.keys(manifest.contributes.configuration.properties).sort();
assert.deepEqual(props, ["rinfra.exec.path", "rinfra.factCache", "rinfra.hints", "rinfra.inventory", "rinfra.server.path"]);

// The server binary: present for the manifest's target platform, executable, and working once
// extracted the way VS Code extracts it (bytes plus the zip's mode).
const vsixManifest = files.get("extension.vsixmanifest")().toString();
const target = /TargetPlatform="([^"]+)"/.exec(vsixManifest)?.[1];
assert.ok(target, "the .vsix is platform-specific (vsce --target)");
const exe = target.startsWith("win32") ? "rinfra-lsp.exe" : "rinfra-lsp";
const server = files.get(`extension/bin/${exe}`);
assert.ok(server, `${file} lacks extension/bin/${exe}`);
if (!target.startsWith("win32")) {
  assert.equal(server.mode & 0o111, 0o111, `extension/bin/${exe} is executable (mode ${server.mode.toString(8)})`);
}
const here = `${process.platform}-${process.arch === "arm" ? "armhf" : process.arch}`;
if (target !== here) {
  console.log(`${file}: built for ${target}, this is ${here}: the server binary is not run`);
} else {
  const dir = mkdtempSync(path.join(tmpdir(), "rinfra-vsix-"));
  try {
    const binary = path.join(dir, exe);
    writeFileSync(binary, server(), { mode: server.mode & 0o777 });
    const version = execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
    assert.match(version, /^rinfra-lsp \d+\.\d+\.\d+/, "the shipped server answers --version");
    // A deploy with one known problem: the server must report it, as the editor would show it.
    const deploy = 'from pyinfra.operations import apt\n\napt.packages(packages=["nginx"], updat=True)\n';
    const diagnostics = await firstDiagnostics(binary, dir, deploy);
    const codes = diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`);
    assert.deepEqual(codes, ["RI002@3"], "the shipped server reports the unknown argument");
    assert.match(diagnostics[0].message, /did you mean `update`/);
    console.log(`${file}: ${version} runs from the extracted .vsix and reports ${codes.join(", ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`${file}: ${files.size} files, bundled extension, server for ${target}, README, icon and contributes OK`);
