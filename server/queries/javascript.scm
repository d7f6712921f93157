; Definitions that become chunks in JavaScript files, besides those shared
; with TypeScript in ecmascript.scm (appended to this file when compiled).
; Conventions: see the comment at the top of rust.scm.
; `export` wrappers are attached in code (the chunk starts at `export`).

(class_declaration name: (identifier) @name) @definition.class

; Class fields holding a function: `handle = (event) => { ... }`.
(class_body
  (field_definition
    property: (_) @name
    value: [(arrow_function) (function_expression) (generator_function)]) @definition.method)
