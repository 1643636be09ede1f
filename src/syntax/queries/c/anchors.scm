; Units an edit snaps to in C (core/anchor.ts explains the roles).

[
  (function_definition)
  (declaration)
  (type_definition)
  (preproc_include)
  (preproc_def)
  (preproc_function_def)
  (preproc_if)
  (preproc_ifdef)
  (preproc_call)
  (expression_statement)
  (if_statement)
  (for_statement)
  (while_statement)
  (do_statement)
  (return_statement)
  (switch_statement)
  (case_statement)
  (break_statement)
  (continue_statement)
  (goto_statement)
  (labeled_statement)
  (field_declaration)
  (enumerator)
] @anchor

; A struct, union or enum with a body, where it stands alone (`struct s { ... };`).
(struct_specifier body: (_)) @anchor
(union_specifier body: (_)) @anchor
(enum_specifier body: (_)) @anchor
(initializer_list (initializer_pair) @anchor)
