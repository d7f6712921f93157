; Definitions that become chunks in Haskell files.
; Conventions: see the comment at the top of rust.scm.
; A type signature, pragmas and `-- |` haddock comments right above a
; definition are attached in code. Each equation of a function is a chunk.

(function name: (variable) @name) @definition.function

; `main = ...`: a binding of a name is a function too. After a syntax error
; the grammar may read an equation `pretty c = ...` as a pattern binding
; instead; it is the same function, and its chunk must not depend on which
; reading the parser chose (an incremental reparse may choose the other).
(bind name: (variable) @name) @definition.function

(bind
  pattern: [
    (apply function: (variable) @name)
    (apply function: (apply function: (variable) @name))
    (apply function: (apply function: (apply function: (variable) @name)))
    (apply function: (apply function: (apply function: (apply function: (variable) @name))))
  ]) @definition.function

(data_type name: (name) @name) @definition.type

(newtype name: (name) @name) @definition.type

(type_synonym name: (name) @name) @definition.type

(type_family name: (name) @name) @definition.type

(class name: (name) @name) @definition.trait

; `instance Show Config`: named `Show Config` in code; its methods belong to `Config`.
(instance patterns: (_) @name) @definition.impl
