; Units an edit snaps to in Python (core/anchor.ts explains the roles). Blocks are the statements
; inside them; a decorated definition is taken with its decorators.

[
  (expression_statement)
  (return_statement)
  (pass_statement)
  (break_statement)
  (continue_statement)
  (raise_statement)
  (assert_statement)
  (delete_statement)
  (global_statement)
  (nonlocal_statement)
  (import_statement)
  (import_from_statement)
  (future_import_statement)
  (type_alias_statement)
  (if_statement)
  (for_statement)
  (while_statement)
  (try_statement)
  (with_statement)
  (match_statement)
  (case_clause)
  (function_definition)
  (class_definition)
] @anchor

(dictionary (pair) @anchor)

(decorated_definition) @anchor.wrap
