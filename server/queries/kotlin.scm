; Definitions that become chunks in Kotlin files (the fwcd grammar, whose
; nodes have no field names). Conventions: see the comment at the top of
; rust.scm. Annotations are part of the declaration's modifiers; KDoc is
; attached in code. Interfaces and enums are class_declarations told apart by
; a keyword (the first pattern that matches wins). Abstract functions without
; a body stay in their type's chunk.

(class_declaration "interface" (type_identifier) @name) @definition.interface

(class_declaration "enum" (type_identifier) @name) @definition.enum

(class_declaration (type_identifier) @name) @definition.class

(object_declaration (type_identifier) @name) @definition.class

; An extension function `fun Config.describe()` is a method of `Config`.
(function_declaration receiver: (_) @container (simple_identifier) @name (function_body)) @definition.function

(function_declaration (simple_identifier) @name (function_body)) @definition.function

(secondary_constructor "constructor" @name) @definition.function

(type_alias (type_identifier) @name) @definition.type
