//! Fixtures for shell scripts, Lua and PHP: names, kinds,
//! containers, exact line ranges, doc-comment attachment and coverage.

use super::{chunk_checked, named, outline};
use crate::lang::Language;

pub(crate) const SHELL: &str = r##"#!/usr/bin/env bash
# Deploys the service.
set -euo pipefail

readonly TARGET="${1:-staging}"

# Prints a message to stderr.
log() {
  echo "[deploy] $*" >&2
}

function build_image {
  local tag="$1"
  docker build -t "app:$tag" .
}

deploy() {
  helper() { echo "nested"; }
  log "deploying to $TARGET"
  build_image "latest"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  deploy "$@"
fi
"##;

#[test]
fn shell_functions_and_statements() {
    let chunks = chunk_checked(Language::Shell, SHELL);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-4",
            "function log [-] 6-9",
            "function build_image [-] 11-14",
            "function deploy [-] 16-20",
            "block - [-] 22-24",
        ]
    );
    assert!(named(&chunks, "log").text(SHELL).starts_with("# Prints a message to stderr.\nlog() {"));
    assert_eq!(named(&chunks, "build_image").signature.as_deref(), Some("function build_image"));
    // A function defined inside another stays in it.
    assert!(chunks.iter().all(|c| c.name.as_deref() != Some("helper")));
}

pub(crate) const LUA: &str = r##"-- Reads settings.
local M = {}

local DEFAULT = 8080

--- Loads the configuration file.
function M.load(path)
  local f = io.open(path)
  return f:read("a")
end

function M:reload()
  self.data = M.load(self.path)
end

local function parse(text)
  return text
end

local helper = function(x)
  return x * 2
end

M.double = function(x)
  return helper(x)
end

function global_fn()
  return parse("x")
end

return M
"##;

#[test]
fn lua_functions_and_table_methods() {
    let chunks = chunk_checked(Language::Lua, LUA);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-3",
            "method load [M] 5-9",
            "method reload [M] 11-13",
            "function parse [-] 15-17",
            "function helper [-] 19-21",
            "method double [M] 23-25",
            "function global_fn [-] 27-29",
            "block - [-] 31-31",
        ]
    );
    let load = named(&chunks, "load");
    assert!(load.text(LUA).starts_with("--- Loads the configuration file.\nfunction M.load"));
    assert_eq!(load.signature.as_deref(), Some("function M.load(path)"));
}

pub(crate) const PHP: &str = r##"<?php

namespace Acme\Storage;

use Acme\Contracts\Store;

/**
 * Reads and writes blobs.
 */
class BlobStore implements Store
{
    private string $root;

    public function __construct(string $root)
    {
        $this->root = $root;
    }

    /** Reads one blob. */
    public function read(string $key): string
    {
        return file_get_contents($this->root . '/' . $key);
    }
}

interface Store
{
    public function read(string $key): string;
}

trait Logs
{
    public function log(string $message): void
    {
        error_log($message);
    }
}

enum Mode: string
{
    case Read = 'r';
}

// Makes a store.
function make_store(): BlobStore
{
    return new BlobStore('/tmp');
}
"##;

#[test]
fn php_classes_interfaces_traits_and_functions() {
    let chunks = chunk_checked(Language::Php, PHP);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-4",
            "class BlobStore [-] 6-23",
            "method __construct [BlobStore] 13-16",
            "method read [BlobStore] 18-22",
            "interface Store [-] 25-28",
            "trait Logs [-] 30-36",
            "method log [Logs] 32-35",
            "enum Mode [-] 38-41",
            "function make_store [-] 43-47",
        ]
    );
    assert!(named(&chunks, "BlobStore").text(PHP).starts_with("/**\n * Reads and writes blobs.\n */\nclass BlobStore"));
    let read = named(&chunks, "read");
    assert!(read.text(PHP).starts_with("/** Reads one blob. */"));
    assert_eq!(read.signature.as_deref(), Some("public function read(string $key): string"));
}
