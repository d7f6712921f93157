; Definitions that become chunks in Swift files.
; Conventions: see the comment at the top of rust.scm.
; Classes, structs, enums, actors and extensions are all class_declarations,
; told apart by their keyword (the first pattern that matches wins).
; Attributes are part of the declaration; doc comments are attached in code.
; Protocol requirements without a body stay in their protocol's chunk.

(class_declaration declaration_kind: "struct" name: (_) @name) @definition.struct

(class_declaration declaration_kind: "enum" name: (_) @name) @definition.enum

(class_declaration declaration_kind: "extension" name: (_) @name) @definition.impl

(class_declaration name: (_) @name) @definition.class

(protocol_declaration name: (_) @name) @definition.interface

(function_declaration name: (simple_identifier) @name) @definition.function

(function_declaration) @definition.function

(init_declaration "init" @name) @definition.function

(deinit_declaration "deinit" @name) @definition.function

(typealias_declaration name: (_) @name) @definition.type
