; Definitions that become chunks in C# files.
; Conventions: see the comment at the top of rust.scm.
; Attributes (`[Serializable]`) are part of the declaration; `///` doc
; comments are attached in code. Methods are captured as functions and become
; methods inside a type; abstract and interface methods without a body stay in
; their type's chunk.

(class_declaration name: (identifier) @name) @definition.class

(record_declaration name: (identifier) @name) @definition.class

(struct_declaration name: (identifier) @name) @definition.struct

(interface_declaration name: (identifier) @name) @definition.interface

(enum_declaration name: (identifier) @name) @definition.enum

(delegate_declaration name: (identifier) @name) @definition.type

; `namespace A.B { ... }`; a file-scoped `namespace A.B;` holds nothing.
(namespace_declaration name: (_) @name) @definition.module

(method_declaration name: (identifier) @name body: (_)) @definition.function

(constructor_declaration name: (identifier) @name) @definition.function

(destructor_declaration name: (identifier) @name) @definition.function

(operator_declaration body: (_)) @definition.function

; Top-level statements may define local functions (the `global_statement`
; around one is attached in code).
(global_statement (local_function_statement name: (identifier) @name) @definition.function)
