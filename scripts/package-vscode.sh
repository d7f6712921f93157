#!/usr/bin/env bash
# Packages the VS Code extension for one platform with the semnav server
# inside, the way rust-analyzer ships per-platform extensions: the binary is
# copied to editors/vscode/server/semnav (semnav.exe for Windows targets),
# `vsce package --target TARGET` writes the .vsix, and the copy is removed
# again. The extension runs that binary when semnav.server.path is empty and
# there is no semnav on PATH.
#
#   scripts/package-vscode.sh [--target TARGET] [--out FILE] [BINARY]
#
#   BINARY    the server to bundle; default target/release/semnav
#             (cargo build --release). Any other build: pass its path.
#   --target  the VS Code target (win32-x64, win32-arm64, linux-x64,
#             linux-arm64, linux-armhf, darwin-x64, darwin-arm64, alpine-x64,
#             alpine-arm64); default this machine's, from node's
#             process.platform and process.arch (alpine on a musl libc).
#             Give it when BINARY was cross-compiled.
#   --out     the .vsix to write; default editors/vscode/semnav-TARGET.vsix.
#
# Needs `npm ci` in editors/vscode first. Without a server inside (a universal
# .vsix, semnav found on PATH or through the setting):
#   cd editors/vscode && npm run package
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
ext="$repo/editors/vscode"
targets="win32-x64 win32-arm64 linux-x64 linux-arm64 linux-armhf darwin-x64 darwin-arm64 alpine-x64 alpine-arm64"

die() {
    echo "package-vscode: $*" >&2
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit "${1:-2}"
}

binary=""
target=""
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --target) [ $# -ge 2 ] || die "--target needs a value"; target="$2"; shift 2 ;;
        --target=*) target="${1#--target=}"; shift ;;
        --out) [ $# -ge 2 ] || die "--out needs a value"; out="$2"; shift 2 ;;
        --out=*) out="${1#--out=}"; shift ;;
        -h|--help) usage 0 ;;
        -*) echo "package-vscode: unknown option $1" >&2; usage ;;
        *) [ -z "$binary" ] || die "one BINARY only (got $binary and $1)"; binary="$1"; shift ;;
    esac
done

# Paths given on the command line are taken from the caller's directory.
absolute() {
    case "$1" in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s\n' "$PWD/$1" ;;
    esac
}

if [ -z "$binary" ]; then
    binary="$repo/target/release/semnav"
    [ -f "$binary" ] || die "no server at $binary: build it with \`cargo build --release\` in $repo, or pass the binary to bundle (e.g. scripts/package-vscode.sh target/debug/semnav). For a .vsix without a server: cd editors/vscode && npm run package"
else
    binary="$(absolute "$binary")"
    [ -f "$binary" ] || die "BINARY $binary is not a file"
fi

command -v node >/dev/null || die "node is not installed (vsce runs on it)"
vsce="$ext/node_modules/.bin/vsce"
[ -x "$vsce" ] || die "vsce is not installed: run \`npm ci\` in $ext"

# This machine's VS Code target: node's platform-arch, alpine when libc is musl.
host="$(node -e '
const arch = { x64: "x64", arm64: "arm64", arm: "armhf" }[process.arch] ?? process.arch;
let platform = process.platform;
if (platform === "linux" && !process.report.getReport().header.glibcVersionRuntime) {
    platform = "alpine";
}
console.log(`${platform}-${arch}`);
')"
[ -n "$target" ] || target="$host"
case " $targets " in
    *" $target "*) ;;
    *) die "unknown VS Code target $target (this machine: $host); one of: $targets" ;;
esac

case "$target" in
    win32-*) name="semnav.exe" ;;
    *) name="semnav" ;;
esac
if [ -z "$out" ]; then
    out="$ext/semnav-$target.vsix"
else
    out="$(absolute "$out")"
fi

# A binary for this machine must be the server of this repository.
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/server/Cargo.toml" | head -1)"
if [ "$target" = "$host" ]; then
    says="$("$binary" --version 2>&1)" || die "$binary --version failed: $says"
    [ "$says" = "semnav $version" ] || die "$binary --version says \"$says\", server/Cargo.toml is version $version: rebuild it"
else
    echo "package-vscode: $target is not this machine ($host): not running $binary" >&2
fi

server_dir="$ext/server"
cleanup() {
    rm -rf "$server_dir"
}
trap cleanup EXIT
rm -rf "$server_dir"
mkdir -p "$server_dir"
cp "$binary" "$server_dir/$name"
# The mode goes into the zip; VS Code restores it when it installs the .vsix.
chmod 755 "$server_dir/$name"

mkdir -p "$(dirname "$out")"
cd "$ext"
"$vsce" package --no-dependencies --skip-license --allow-missing-repository --target "$target" --out "$out"
echo "package-vscode: $out ($target, server $(basename "$binary") $version inside as extension/server/$name)"
echo "package-vscode: install it with: code --install-extension $out"
