; Definitions that become chunks in Go files.
; Conventions: see the comment at the top of rust.scm.
; A `type` declaration with a single spec is attached in code, so the chunk
; starts at the `type` keyword.

(function_declaration name: (identifier) @name) @definition.function

; The receiver type, without `*` or type arguments, is the container.
(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [
        (type_identifier) @container
        (pointer_type (type_identifier) @container)
        (generic_type type: (type_identifier) @container)
        (pointer_type (generic_type type: (type_identifier) @container))
      ]))
  name: (field_identifier) @name) @definition.method

; A method whose receiver is not recognised above still becomes a chunk.
(method_declaration name: (field_identifier) @name) @definition.method

; The first matching pattern wins: structs and interfaces before other types.
(type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct

(type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface

(type_spec name: (type_identifier) @name) @definition.type

(type_alias name: (type_identifier) @name) @definition.type
