#!/bin/bash
# Starts code-server for tests with fresh, throw-away state (settings, extensions, XDG dirs).
# usage: setsid test/e2e/start-code-server.sh PORT RUNDIR [--install-extension X.vsix] [extra code-server args...]
# Stop it with `kill -- -PGID`: its file watcher and extension host are children that outlive a
# plain kill of the main process.
set -euo pipefail
PORT=$1; RUN=$2; shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
CS=${CODE_SERVER:-$HERE/node_modules/.bin/code-server}
[ -x "$CS" ] || { echo "code-server not found at $CS: run 'npm ci' in test/e2e" >&2; exit 2; }

rm -rf "$RUN"; mkdir -p "$RUN/ud/User" "$RUN/exts"
cat > "$RUN/ud/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "update.mode": "none",
  "editor.codeLens": true,
  "files.autoSave": "off",
  "window.commandCenter": false,
  "chat.commandCenter.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false
}
JSON
: > "$RUN/config.yaml"
# code-server writes under ~/.config and ~/.local/share even with --user-data-dir.
export XDG_CONFIG_HOME="$RUN/xdg-config" XDG_DATA_HOME="$RUN/xdg-data" XDG_CACHE_HOME="$RUN/xdg-cache"
STATE=(--config "$RUN/config.yaml" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/exts")
if [ "${1:-}" = "--install-extension" ]; then
  # code-server installs and exits when given --install-extension, so install first, then serve.
  "$CS" "${STATE[@]}" --install-extension "$2"
  shift 2
fi
exec "$CS" --config "$RUN/config.yaml" --bind-addr "127.0.0.1:$PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --user-data-dir "$RUN/ud" --extensions-dir "$RUN/exts" --ignore-last-opened "$@"
