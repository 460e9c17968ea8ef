// The extension's own logic, free of the `vscode` module so node's test runner can exercise it.
import * as path from "path";

/** The `rinfra.*` settings the extension reads. */
export interface Settings {
  serverPath: string;
  execPath: string;
  inventory: string;
  factCache: string;
  hints: string;
}

/** Where the hints for "would change" go; anything else in the settings falls back to `inlay`. */
export type HintStyle = "inlay" | "codeLens" | "off";

/** What the server receives as `initializationOptions`. */
export interface InitializationOptions {
  inventory: string;
  hints: HintStyle;
  factCache?: string;
}

/** What resolving the server path depends on, injected so tests need no file system. */
export interface ServerPathContext {
  extensionPath: string;
  platform: NodeJS.Platform;
  workspaceFolder: string | undefined;
  homeDir: string;
  exists: (file: string) => boolean;
}

/**
 * `${workspaceFolder}` and a leading `~` expanded; relative paths taken from the workspace folder,
 * except a bare program name (no slash) when `kind` is `program`, which the OS looks up on PATH.
 */
export function expandPath(
  raw: string,
  ctx: Pick<ServerPathContext, "workspaceFolder" | "homeDir">,
  kind: "file" | "program" = "file",
): string {
  let p = raw.trim();
  if (ctx.workspaceFolder !== undefined) {
    p = p.split("${workspaceFolder}").join(ctx.workspaceFolder);
  }
  if (p === "~" || p.startsWith("~/")) {
    p = path.join(ctx.homeDir, p.slice(1));
  }
  const isBareProgram = kind === "program" && !p.includes("/") && !p.includes("\\");
  if (!isBareProgram && !path.isAbsolute(p) && ctx.workspaceFolder !== undefined) {
    p = path.join(ctx.workspaceFolder, p);
  }
  return p;
}

/** The executable's file name on `platform`. */
export function executableName(base: string, platform: NodeJS.Platform): string {
  return platform === "win32" ? `${base}.exe` : base;
}

/**
 * The `rinfra-lsp` to start: the `rinfra.server.path` setting when set, else the binary shipped in
 * the extension's `bin/`, else the bare name so the operating system searches PATH.
 */
export function resolveServerPath(configured: string, ctx: ServerPathContext): string {
  if (configured.trim() !== "") {
    return expandPath(configured, ctx, "program");
  }
  const name = executableName("rinfra-lsp", ctx.platform);
  const bundled = path.join(ctx.extensionPath, "bin", name);
  return ctx.exists(bundled) ? bundled : name;
}

/** The hint style named by the setting, `inlay` when it names none. */
export function hintStyle(raw: string): HintStyle {
  return raw === "codeLens" || raw === "off" ? raw : "inlay";
}

/** The settings as the server's `initializationOptions` (paths expanded, empty ones left out). */
export function initializationOptions(
  settings: Settings,
  ctx: Pick<ServerPathContext, "workspaceFolder" | "homeDir">,
): InitializationOptions {
  const options: InitializationOptions = {
    inventory: expandPath(settings.inventory || "inventory.py", ctx),
    hints: hintStyle(settings.hints),
  };
  if (settings.factCache.trim() !== "") {
    options.factCache = expandPath(settings.factCache, ctx);
  }
  return options;
}

/** The `rinfra-exec` invocation that plans `file` against the inventory without changing any host. */
export function dryRunCommand(
  settings: Settings,
  file: string,
  ctx: Pick<ServerPathContext, "workspaceFolder" | "homeDir">,
): { command: string; args: string[] } {
  const inventory = expandPath(settings.inventory || "inventory.py", ctx);
  return { command: expandPath(settings.execPath || "rinfra-exec", ctx, "program"), args: [inventory, file, "--dry"] };
}

/** Whether the text is a pyinfra deploy (imports pyinfra), the files the server has something to say on. */
export function importsPyinfra(text: string): boolean {
  return /^\s*(from\s+pyinfra[\s.]|import\s+pyinfra\b)/m.test(text);
}
