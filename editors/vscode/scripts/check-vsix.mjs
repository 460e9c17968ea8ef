// Checks a packaged .vsix: the bundled extension, README, icon and the manifest's `contributes` are
// there, and no sources or node_modules slipped in. A .vsix is a zip; read its central directory.
import { readFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import assert from "node:assert/strict";

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
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLen);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + size);
    out.set(name, () => (method === 8 ? inflateRawSync(raw) : raw));
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
console.log(`${file}: ${files.size} files, bundled extension, README, icon and contributes OK`);
