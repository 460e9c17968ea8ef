#!/bin/sh
# Installs code-server (VS Code 1.100 served to a browser) from the npm registry, offline-safe.
#
# code-server's own postinstall downloads ripgrep from GitHub, which a registry-only network refuses,
# so install with --ignore-scripts and do its steps here: VS Code's production dependencies, ripgrep
# from the system (Debian's ripgrep), and the native modules built against this node (g++, make,
# python3; kerberos needs libkrb5-dev). Idempotent: a marker records a finished setup.
set -eu
cd "$(dirname "$0")"
marker=node_modules/.rinfra-e2e-setup
if [ -f "$marker" ] && [ "$marker" -nt package-lock.json ]; then
  exit 0
fi

rg=$(command -v rg) || { echo "setup: ripgrep (rg) not found: apt-get install ripgrep" >&2; exit 2; }
command -v krb5-config >/dev/null || { echo "setup: krb5-config not found: apt-get install libkrb5-dev" >&2; exit 2; }

npm ci --ignore-scripts --no-audit --no-fund
vscode=node_modules/code-server/lib/vscode
(cd "$vscode" && npm install --omit=dev --ignore-scripts --no-audit --no-fund)
(cd "$vscode/extensions" && npm install --omit=dev --ignore-scripts --no-audit --no-fund)
mkdir -p "$vscode/node_modules/@vscode/ripgrep/bin"
ln -sf "$rg" "$vscode/node_modules/@vscode/ripgrep/bin/rg"
# VS Code looks for some modules (ripgrep among them) under node_modules.asar.
ln -sfn node_modules "$vscode/node_modules.asar"

# node-gyp with npm's own settings (a nodedir with the headers, when npm is configured with one:
# without it node-gyp would download them).
gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
nodedir=$(npm config get nodedir 2>/dev/null || true)
case "$nodedir" in ""|undefined|null) set -- ;; *) set -- "--nodedir=$nodedir" ;; esac
for module in "$vscode/node_modules/kerberos" "$vscode/node_modules/node-pty" \
  "$vscode/node_modules/native-watchdog" "$vscode/node_modules/@vscode/spdlog" \
  "$vscode/node_modules/@vscode/deviceid"; do
  echo "setup: building $module"
  (cd "$module" && node "$gyp" rebuild "$@" >build.log 2>&1) || { cat "$module/build.log" >&2; exit 1; }
done
# argon2 (code-server's password hashing, loaded even with --auth none) builds through
# node-pre-gyp, which falls back to a source build when its GitHub download is refused.
npm rebuild argon2 --no-audit --no-fund >/dev/null
touch "$marker"
echo "setup: code-server $(node -p 'require("./node_modules/code-server/package.json").version') ready"
