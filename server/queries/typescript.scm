; Definitions that become chunks in TypeScript and TSX files.
; Conventions: see the comment at the top of rust.scm.
; `export` and `declare` wrappers are attached in code.

(function_declaration name: (identifier) @name) @definition.function

(generator_function_declaration name: (identifier) @name) @definition.function

(class_declaration name: (_) @name) @definition.class

(abstract_class_declaration name: (_) @name) @definition.class

(interface_declaration name: (_) @name) @definition.interface

(type_alias_declaration name: (_) @name) @definition.type

(enum_declaration name: (_) @name) @definition.enum

; `namespace Foo {}` and `module "foo" {}` / `declare module Foo {}`.
(internal_module name: (_) @name) @definition.module

(module name: (_) @name) @definition.module

; Methods of classes (object-literal methods stay in their enclosing chunk).
(class_body (method_definition name: (_) @name) @definition.method)

; Class fields holding a function: `handle = (event) => { ... }`.
(class_body
  (public_field_definition
    name: (_) @name
    value: [(arrow_function) (function_expression) (generator_function)]) @definition.method)

; `const f = (...) => ...`, `let f = function () {...}`, `var f = ...`: the
; whole declaration is the chunk, named after the declarator.
(lexical_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (function_expression) (generator_function)])) @definition.function

(variable_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (function_expression) (generator_function)])) @definition.function

; `exports.handler = async (event) => { ... }`, `module.exports.run = function () {}`.
(expression_statement
  (assignment_expression
    left: (member_expression property: (property_identifier) @name)
    right: [(arrow_function) (function_expression) (generator_function)])) @definition.function

; `const Foo = class { ... }`
(lexical_declaration
  (variable_declarator
    name: (identifier) @name
    value: (class))) @definition.class
