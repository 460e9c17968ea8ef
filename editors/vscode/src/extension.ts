// The VS Code side: starts rinfra-lsp over stdio and wires the commands to it.
import * as fs from "fs";
import * as os from "os";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

import { Settings, dryRunCommand, importsPyinfra, initializationOptions, resolveServerPath } from "./config";

let client: LanguageClient | undefined;

function settings(): Settings {
  const c = vscode.workspace.getConfiguration("rinfra");
  return {
    serverPath: c.get<string>("server.path", ""),
    execPath: c.get<string>("exec.path", "rinfra-exec"),
    inventory: c.get<string>("inventory", "inventory.py"),
    factCache: c.get<string>("factCache", ""),
    hints: c.get<string>("hints", "inlay"),
  };
}

function pathContext(): { workspaceFolder: string | undefined; homeDir: string } {
  return { workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, homeDir: os.homedir() };
}

function createClient(context: vscode.ExtensionContext): LanguageClient {
  const s = settings();
  const command = resolveServerPath(s.serverPath, {
    ...pathContext(),
    extensionPath: context.extensionPath,
    platform: process.platform,
    exists: (file) => fs.existsSync(file),
  });
  const serverOptions: ServerOptions = { command, args: ["server"], transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
    ],
    initializationOptions: initializationOptions(s, pathContext()),
    outputChannelName: "rinfra",
  };
  return new LanguageClient("rinfra", "rinfra", serverOptions, clientOptions);
}

/** The active editor's deploy file, or a warning when there is none. */
function activeDeploy(): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc === undefined || doc.languageId !== "python" || !importsPyinfra(doc.getText())) {
    void vscode.window.showWarningMessage("rinfra: open a pyinfra deploy file first.");
    return undefined;
  }
  return doc;
}

/** Runs `rinfra-exec INVENTORY FILE --dry` as a task (in a terminal); resolves with its exit code. */
async function runDry(name: string, doc: vscode.TextDocument): Promise<number | undefined> {
  await doc.save();
  const { command, args } = dryRunCommand(settings(), doc.uri.fsPath, pathContext());
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  const task = new vscode.Task(
    { type: "rinfra" },
    folder ?? vscode.TaskScope.Workspace,
    name,
    "rinfra",
    new vscode.ProcessExecution(command, args, folder ? { cwd: folder.uri.fsPath } : {}),
  );
  const execution = await vscode.tasks.executeTask(task);
  return new Promise((resolve) => {
    const done = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution === execution) {
        done.dispose();
        resolve(e.exitCode);
      }
    });
  });
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  if (client !== undefined) {
    await client.stop();
  }
  client = createClient(context);
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("rinfra.restartServer", () => restart(context)),
    vscode.commands.registerCommand("rinfra.refreshFacts", async () => {
      const doc = activeDeploy();
      if (doc === undefined) return;
      const code = await runDry("Refresh facts", doc);
      // The server reads the refreshed fact cache when it starts, so the hints follow.
      if (code === 0) await restart(context);
    }),
    vscode.commands.registerCommand("rinfra.showPlan", async () => {
      const doc = activeDeploy();
      if (doc !== undefined) await runDry("Show plan", doc);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("rinfra")) void restart(context);
    }),
  );
  await restart(context);
}

export async function deactivate(): Promise<void> {
  if (client !== undefined) {
    await client.stop();
    client = undefined;
  }
}
