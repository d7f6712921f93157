; Definitions that become chunks in C++ files.
; Conventions: see the comment at the top of rust.scm.
; `template <...>` wrappers are attached in code. A qualified name such as
; `Foo::bar` is split in code into the name `bar` and the container `Foo`.

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

(type_definition declarator: (type_identifier) @name) @definition.type

(alias_declaration name: (_) @name) @definition.type
