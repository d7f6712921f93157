; Definitions that become chunks in Elixir files.
; Conventions: see the comment at the top of rust.scm. Elixir defines
; everything with macro calls, told apart by the called name (captures that
; start with `_` only feed predicates). `@doc`, `@spec` and `@impl` before a
; definition are attached in code, like doc comments.

(call
  target: (identifier) @_keyword (#eq? @_keyword "defmodule")
  (arguments (alias) @name)) @definition.module

(call
  target: (identifier) @_keyword (#eq? @_keyword "defprotocol")
  (arguments (alias) @name)) @definition.interface

(call
  target: (identifier) @_keyword (#eq? @_keyword "defimpl")
  (arguments . (alias) @name)) @definition.impl

; `def name(args) do`, `def name(args) when guard do`, `def name, do: ...`.
(call
  target: (identifier) @_keyword
  (#any-of? @_keyword "def" "defp" "defmacro" "defmacrop" "defguard" "defguardp" "defdelegate" "defn" "defnp")
  (arguments . [
    (call target: (identifier) @name)
    (identifier) @name
    (binary_operator left: (call target: (identifier) @name))
    (binary_operator left: (identifier) @name)
  ])) @definition.function
