//! Fixtures for shell scripts, Elixir, Lua, PHP and Ruby: names, kinds,
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

pub(crate) const ELIXIR: &str = r##"defmodule Acme.Mailer do
  @moduledoc """
  Sends mail.
  """

  alias Acme.Smtp

  @timeout 5_000

  @doc """
  Delivers one message.
  """
  @spec deliver(map()) :: :ok | {:error, term()}
  def deliver(message) do
    Smtp.send(message, @timeout)
  end

  # Builds the headers.
  defp headers(message) when is_map(message) do
    %{to: message.to}
  end

  def noop, do: :ok

  defmacro with_retry(do: block) do
    quote do: unquote(block)
  end
end

defprotocol Acme.Sender do
  @doc "Sends a value."
  def send(value)
end

defimpl Acme.Sender, for: Map do
  def send(value), do: {:ok, value}
end
"##;

#[test]
fn elixir_modules_protocols_and_functions() {
    let chunks = chunk_checked(Language::Elixir, ELIXIR);
    assert_eq!(
        outline(&chunks),
        [
            "module Acme.Mailer [-] 0-27",
            "function deliver [Acme.Mailer] 9-15",
            "function headers [Acme.Mailer] 17-20",
            "function noop [Acme.Mailer] 22-22",
            "function with_retry [Acme.Mailer] 24-26",
            "interface Acme.Sender [-] 29-32",
            "method send [Sender] 30-31",
            "impl Acme.Sender [-] 34-36",
            "method send [Sender] 35-35",
        ]
    );
    // `@doc` and `@spec` belong to the function; `@moduledoc` and other
    // attributes do not.
    let deliver = named(&chunks, "deliver");
    assert!(deliver.text(ELIXIR).starts_with("@doc \"\"\"\n  Delivers one message."));
    assert_eq!(deliver.signature.as_deref(), Some("def deliver(message)"));
    assert!(named(&chunks, "headers").text(ELIXIR).starts_with("# Builds the headers."));
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

pub(crate) const RUBY: &str = r##"require "json"

module Acme
  # Reads and writes blobs.
  class BlobStore < Base
    attr_reader :root

    def initialize(root)
      @root = root
    end

    # Reads one blob.
    def read(key)
      File.read(File.join(root, key))
    end

    def self.default
      new(".")
    end
  end
end

class Cache
  # Looks a key up.
  def fetch(key)
    @data[key]
  end
end

# Makes a store.
def make_store
  Acme::BlobStore.new("/tmp")
end

puts make_store.read("a")
"##;

#[test]
fn ruby_modules_classes_and_methods() {
    let chunks = chunk_checked(Language::Ruby, RUBY);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-0",
            "module Acme [-] 2-20",
            "class BlobStore [Acme] 3-19",
            "method initialize [BlobStore] 7-9",
            "method read [BlobStore] 11-14",
            "method default [BlobStore] 16-18",
            "class Cache [-] 22-27",
            "method fetch [Cache] 23-26",
            "function make_store [-] 29-32",
            "block - [-] 34-34",
        ]
    );
    // The grammar puts the comment above a body's first definition before
    // the body; it still belongs to that definition.
    assert!(named(&chunks, "BlobStore").text(RUBY).starts_with("# Reads and writes blobs.\n  class BlobStore"));
    assert!(named(&chunks, "fetch").text(RUBY).starts_with("# Looks a key up.\n  def fetch"));
    assert!(named(&chunks, "read").text(RUBY).starts_with("# Reads one blob."));
    assert_eq!(named(&chunks, "default").signature.as_deref(), Some("def self.default"));
}
