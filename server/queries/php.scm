; Definitions that become chunks in PHP files.
; Conventions: see the comment at the top of rust.scm.
; Attributes are part of the declaration; doc comments are attached in code.
; Abstract and interface methods without a body stay in their type's chunk.

(function_definition name: (name) @name) @definition.function

(method_declaration name: (name) @name body: (compound_statement)) @definition.method

(class_declaration name: (name) @name) @definition.class

(interface_declaration name: (name) @name) @definition.interface

(trait_declaration name: (name) @name) @definition.trait

(enum_declaration name: (name) @name) @definition.enum

; Only `namespace A\B { ... }`; `namespace A\B;` holds nothing.
(namespace_definition name: (namespace_name) @name body: (compound_statement)) @definition.module
