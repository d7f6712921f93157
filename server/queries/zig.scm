; Definitions that become chunks in Zig files.
; Conventions: see the comment at the top of rust.scm.
; Types are constants: `const Point = struct { ... };` is a Struct named
; `Point`, and the functions inside it are its methods. `///` doc comments are
; attached in code (`//!` documents the file, not what follows).

(variable_declaration . (identifier) @name (struct_declaration)) @definition.struct

(variable_declaration . (identifier) @name (enum_declaration)) @definition.enum

(variable_declaration . (identifier) @name (union_declaration)) @definition.union

(variable_declaration . (identifier) @name (opaque_declaration)) @definition.type

(variable_declaration . (identifier) @name (error_set_declaration)) @definition.type

(function_declaration name: (identifier) @name) @definition.function

(test_declaration [(string (string_content) @name) (identifier) @name]) @definition.function

(test_declaration) @definition.function
