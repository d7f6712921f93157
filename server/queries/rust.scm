; Definitions that become chunks in Rust files.
;
; Conventions shared by every file in this folder (see src/chunk/queries.rs):
; - `@definition.<kind>` marks the definition node; `@name` its name;
;   `@container` (optional) names the enclosing type explicitly; captures
;   starting with `_` only feed predicates (`#eq?`, `#any-of?`).
; - When several patterns match the same node, the first pattern in the file wins.
; - Functions are captured as `function`; the chunker turns them into methods
;   when they sit inside an impl, trait, class, ... and drops them when they sit
;   inside another function.
; - Doc comments, attributes and wrappers are attached in code, not here.

(function_item name: (identifier) @name) @definition.function

(struct_item name: (type_identifier) @name) @definition.struct

(union_item name: (type_identifier) @name) @definition.union

(enum_item name: (type_identifier) @name) @definition.enum

(trait_item name: (type_identifier) @name) @definition.trait

; The name (`Display for Config`) and the container (`Config`) of an impl are
; assembled in code from its `trait` and `type` fields.
(impl_item type: (_) @name) @definition.impl

; Only modules with a body; `mod foo;` declares a file.
(mod_item name: (identifier) @name body: (declaration_list)) @definition.module

(type_item name: (type_identifier) @name) @definition.type

(macro_definition name: (identifier) @name) @definition.macro
