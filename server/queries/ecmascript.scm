; Definitions that become chunks in JavaScript, TypeScript and TSX files alike:
; the TypeScript grammar extends the JavaScript one, and these node kinds are
; the same in both. src/chunk/queries.rs appends this file to javascript.scm
; and to typescript.scm, which hold what differs.
; Conventions: see the comment at the top of rust.scm.

(function_declaration name: (identifier) @name) @definition.function

(generator_function_declaration name: (identifier) @name) @definition.function

; Methods of classes (object-literal methods stay in their enclosing chunk).
(class_body (method_definition name: (_) @name) @definition.method)

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
