; Definitions that become chunks in Java files.
; Conventions: see the comment at the top of rust.scm.
; Annotations are part of the declaration's `modifiers`; javadoc is attached
; in code.

(class_declaration name: (identifier) @name) @definition.class

(interface_declaration name: (identifier) @name) @definition.interface

(annotation_type_declaration name: (identifier) @name) @definition.interface

(enum_declaration name: (identifier) @name) @definition.enum

(record_declaration name: (identifier) @name) @definition.class

; Abstract and interface methods without a body stay in their type's chunk.
(method_declaration name: (identifier) @name body: (block)) @definition.method

(constructor_declaration name: (identifier) @name) @definition.method

(compact_constructor_declaration name: (identifier) @name) @definition.method
