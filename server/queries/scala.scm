; Definitions that become chunks in Scala files (Scala 2 and 3).
; Conventions: see the comment at the top of rust.scm.
; Annotations are part of the definition; Scaladoc is attached in code.
; Abstract `def`s without a body (function_declaration) stay in their type's chunk.

(class_definition name: (_) @name) @definition.class

(object_definition name: (_) @name) @definition.class

(trait_definition name: (_) @name) @definition.trait

(enum_definition name: (_) @name) @definition.enum

(function_definition name: (_) @name) @definition.function

(type_definition name: (_) @name) @definition.type

(given_definition name: (_) @name) @definition.impl

; `package a.b { ... }` with braces; a plain `package a.b` holds nothing.
(package_clause name: (_) @name body: (_)) @definition.module
