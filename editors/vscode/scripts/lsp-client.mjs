// A minimal LSP client over stdio, enough to ask a server for the diagnostics of one document:
// initialize, initialized, didOpen, wait for publishDiagnostics, shutdown, exit.
import { spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** Frames and parses `Content-Length` messages on a child's stdio. */
class Connection {
  constructor(child) {
    this.child = child;
    this.buffer = Buffer.alloc(0);
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    child.stdout.on("data", (chunk) => this.#receive(chunk));
  }

  #receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(this.buffer.toString("ascii", 0, end))?.[1]);
      if (!Number.isFinite(length) || this.buffer.length < end + 4 + length) return;
      const message = JSON.parse(this.buffer.toString("utf8", end + 4, end + 4 + length));
      this.buffer = this.buffer.subarray(end + 4 + length);
      if (message.id !== undefined && this.pending.has(message.id) && message.method === undefined) {
        this.pending.get(message.id)(message);
        this.pending.delete(message.id);
      } else if (message.method !== undefined && message.id !== undefined) {
        // A request from the server (configuration, registration...): answer with null.
        this.#send({ jsonrpc: "2.0", id: message.id, result: null });
      } else {
        for (const listener of this.listeners) listener(message);
      }
    }
  }

  #send(message) {
    const body = Buffer.from(JSON.stringify(message), "utf8");
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
      this.#send({ jsonrpc: "2.0", id, method, params });
    });
  }

  notify(method, params) {
    this.#send({ jsonrpc: "2.0", method, params });
  }

  waitFor(predicate) {
    return new Promise((resolve) => this.listeners.push((m) => predicate(m) && resolve(m)));
  }
}

/**
 * Starts `binary server` in `dir`, opens `dir/deploy.py` holding `text` and returns the first
 * diagnostics the server publishes for it; rejects after `timeoutMs`.
 */
export async function firstDiagnostics(binary, dir, text, timeoutMs = 30000) {
  const child = spawn(binary, ["server"], { cwd: dir, stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  const timer = setTimeout(() => child.kill(), timeoutMs);
  try {
    const conn = new Connection(child);
    const rootUri = pathToFileURL(dir).href;
    const uri = pathToFileURL(path.join(dir, "deploy.py")).href;
    const init = await Promise.race([
      conn.request("initialize", { processId: process.pid, rootUri, capabilities: {}, workspaceFolders: null }),
      exited.then((code) => Promise.reject(new Error(`rinfra-lsp server exited (${code}) before initialize`))),
    ]);
    if (!init?.capabilities) throw new Error("initialize returned no capabilities");
    conn.notify("initialized", {});
    const published = conn.waitFor((m) => m.method === "textDocument/publishDiagnostics" && m.params.uri === uri);
    conn.notify("textDocument/didOpen", { textDocument: { uri, languageId: "python", version: 1, text } });
    const message = await Promise.race([
      published,
      exited.then((code) => Promise.reject(new Error(`rinfra-lsp server exited (${code}) before diagnostics`))),
    ]);
    await conn.request("shutdown", null);
    conn.notify("exit", null);
    const code = await exited;
    if (code !== 0) throw new Error(`rinfra-lsp server exited with ${code} after shutdown`);
    return message.params.diagnostics;
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill();
  }
}
