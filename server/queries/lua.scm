; Definitions that become chunks in Lua files.
; Conventions: see the comment at the top of rust.scm.
; `function M.load()` and `function M:reload()` are methods of `M`.

(function_declaration name: (identifier) @name) @definition.function

(function_declaration
  name: (dot_index_expression table: (_) @container field: (identifier) @name)) @definition.function

(function_declaration
  name: (method_index_expression table: (_) @container method: (identifier) @name)) @definition.function

; `local parse = function (text) ... end`
(variable_declaration
  (assignment_statement
    (variable_list . name: (identifier) @name)
    (expression_list . value: (function_definition)))) @definition.function

; `M.parse = function (text) ... end`, `parse = function ... end`
(assignment_statement
  (variable_list . name: (dot_index_expression table: (_) @container field: (identifier) @name))
  (expression_list . value: (function_definition))) @definition.function

(assignment_statement
  (variable_list . name: (identifier) @name)
  (expression_list . value: (function_definition))) @definition.function
