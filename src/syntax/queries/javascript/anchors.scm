; Units an edit snaps to in JavaScript and JSX (core/anchor.ts explains the roles).

[
  (expression_statement)
  (lexical_declaration)
  (variable_declaration)
  (return_statement)
  (if_statement)
  (for_statement)
  (for_in_statement)
  (while_statement)
  (do_statement)
  (try_statement)
  (switch_statement)
  (switch_case)
  (switch_default)
  (throw_statement)
  (break_statement)
  (continue_statement)
  (labeled_statement)
  (debugger_statement)
  (import_statement)
  (function_declaration)
  (generator_function_declaration)
  (class_declaration)
  (method_definition)
  (field_definition)
  (class_static_block)
  (jsx_element)
  (jsx_self_closing_element)
] @anchor

; Only expression children of an element; `{...}` attribute values stay inside their element.
(jsx_element (jsx_expression) @anchor)

(object (pair) @anchor)
(object (shorthand_property_identifier) @anchor)

(export_statement) @anchor.wrap
