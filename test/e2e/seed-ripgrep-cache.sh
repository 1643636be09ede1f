#!/bin/sh
# code-server's bundled @vscode/ripgrep downloads rg from GitHub in its postinstall. Seed its download
# cache with the system's rg (Debian's `ripgrep`) so `npm ci` here works offline. Run before `npm ci`:
# a preinstall script of this package would run after dependencies' postinstalls.
set -eu
command -v rg >/dev/null || { echo "seed-ripgrep-cache: install ripgrep first (apt-get install ripgrep)" >&2; exit 2; }
d="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
mkdir -p "$d"
f="$d/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
[ -f "$f" ] || { t=$(mktemp -d); cp "$(command -v rg)" "$t/rg"; tar czf "$f" -C "$t" rg; rm -rf "$t"; }
echo "seeded $f"
