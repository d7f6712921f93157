; Definitions that become chunks in TypeScript and TSX files, besides those
; shared with JavaScript in ecmascript.scm (appended to this file when compiled).
; Conventions: see the comment at the top of rust.scm.
; `export` and `declare` wrappers are attached in code.

(class_declaration name: (_) @name) @definition.class

(abstract_class_declaration name: (_) @name) @definition.class

(interface_declaration name: (_) @name) @definition.interface

(type_alias_declaration name: (_) @name) @definition.type

(enum_declaration name: (_) @name) @definition.enum

; `namespace Foo {}` and `module "foo" {}` / `declare module Foo {}`.
(internal_module name: (_) @name) @definition.module

(module name: (_) @name) @definition.module

; Class fields holding a function: `handle = (event) => { ... }`.
(class_body
  (public_field_definition
    name: (_) @name
    value: [(arrow_function) (function_expression) (generator_function)]) @definition.method)
