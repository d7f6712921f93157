; Definitions that become chunks in C++ files.
; Conventions: see the comment at the top of rust.scm.
; `template <...>` wrappers are attached in code. A qualified name such as
; `Foo::bar` is split in code into the name `bar` and the container `Foo`.
; A struct/class/union/enum that is the type of a typedef is absorbed by the
; typedef in code: `typedef struct node { ... } node_t;` is one chunk.

; The declarator may be wrapped in pointer or reference declarators.
(function_definition
  declarator: [
    (function_declarator declarator: (_) @name)
    (pointer_declarator declarator: (function_declarator declarator: (_) @name))
    (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @name)))
    (reference_declarator (function_declarator declarator: (_) @name))
  ]) @definition.function

(function_definition) @definition.function

(class_specifier name: (_) @name body: (field_declaration_list)) @definition.class

(struct_specifier name: (_) @name body: (field_declaration_list)) @definition.struct

(union_specifier name: (_) @name body: (field_declaration_list)) @definition.union

(enum_specifier name: (_) @name body: (enumerator_list)) @definition.enum

(namespace_definition name: (_) @name body: (declaration_list)) @definition.module

; Anonymous namespaces: a module chunk without a name.
(namespace_definition body: (declaration_list)) @definition.module

; `typedef struct { ... } Point;` is a Struct named `Point` (first pattern wins
; over the plain typedef below).
(type_definition type: (struct_specifier body: (field_declaration_list)) declarator: (type_identifier) @name) @definition.struct
(type_definition type: (class_specifier body: (field_declaration_list)) declarator: (type_identifier) @name) @definition.class
(type_definition type: (union_specifier body: (field_declaration_list)) declarator: (type_identifier) @name) @definition.union
(type_definition type: (enum_specifier body: (enumerator_list)) declarator: (type_identifier) @name) @definition.enum

(type_definition declarator: (type_identifier) @name) @definition.type

(alias_declaration name: (_) @name) @definition.type
