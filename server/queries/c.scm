; Definitions that become chunks in C files.
; Conventions: see the comment at the top of rust.scm.
; A struct/union/enum that is the type of a typedef is absorbed by the typedef
; in code: `typedef struct node { ... } node_t;` is one chunk named `node_t`.

; The declarator may be wrapped in pointer declarators: `char **name(void)`.
(function_definition
  declarator: [
    (function_declarator declarator: (_) @name)
    (pointer_declarator declarator: (function_declarator declarator: (_) @name))
    (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @name)))
  ]) @definition.function

; A function definition whose declarator is not recognised above (macros in
; odd places) is still a chunk, without a name.
(function_definition) @definition.function

(struct_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct

(union_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.union

(enum_specifier name: (type_identifier) @name body: (enumerator_list)) @definition.enum

; `typedef struct { ... } Point;` is a Struct named `Point` (first pattern wins
; over the plain typedef below).
(type_definition type: (struct_specifier body: (field_declaration_list)) declarator: (type_identifier) @name) @definition.struct
(type_definition type: (union_specifier body: (field_declaration_list)) declarator: (type_identifier) @name) @definition.union
(type_definition type: (enum_specifier body: (enumerator_list)) declarator: (type_identifier) @name) @definition.enum

; Function-pointer typedefs and other odd declarators stay in blocks.
(type_definition declarator: (type_identifier) @name) @definition.type
