; Definitions that become chunks in shell scripts (sh, Bash, zsh), parsed with
; the Bash grammar. Conventions: see the comment at the top of rust.scm.
; Both `name() { ... }` and `function name { ... }` are function_definitions.

(function_definition name: (word) @name) @definition.function
