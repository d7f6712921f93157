; Definitions that become chunks in C files.
; Conventions: see the comment at the top of rust.scm.
; A typedef whose type is a struct/union/enum with a body absorbs it in code:
; `typedef struct { ... } Point;` is one Struct chunk named `Point`.

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

; Function-pointer typedefs and other odd declarators stay in blocks.
(type_definition declarator: (type_identifier) @name) @definition.type
