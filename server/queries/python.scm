; Definitions that become chunks in Python files.
; Conventions: see the comment at the top of rust.scm.
; `async def` is a function_definition too; decorators are attached in code
; (the chunk starts at the first decorator).

(function_definition name: (identifier) @name) @definition.function

(class_definition name: (identifier) @name) @definition.class
