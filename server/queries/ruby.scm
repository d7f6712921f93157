; Definitions that become chunks in Ruby files.
; Conventions: see the comment at the top of rust.scm.
; Comments right above a definition are attached in code, also those that
; the grammar puts before the body holding it (the first member of a class).

(method name: (_) @name) @definition.function

; `def self.build` is a method of the enclosing class; `def Config.build` of `Config`.
(singleton_method object: (constant) @container name: (_) @name) @definition.function

(singleton_method name: (_) @name) @definition.function

(class name: (_) @name) @definition.class

(module name: (_) @name) @definition.module
