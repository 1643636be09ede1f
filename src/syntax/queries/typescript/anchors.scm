; Units an edit snaps to in TypeScript (core/anchor.ts explains the roles).
; @anchor: statements, declarations, class and interface members, object members.
; @anchor.wrap: a node that wraps one declaration and goes with it (export, with its decorators).

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
  (function_signature)
  (class_declaration)
  (abstract_class_declaration)
  (interface_declaration)
  (type_alias_declaration)
  (enum_declaration)
  (ambient_declaration)
  (method_definition)
  (method_signature)
  (abstract_method_signature)
  (public_field_definition)
  (class_static_block)
  (property_signature)
  (index_signature)
  (call_signature)
  (construct_signature)
] @anchor

(object (pair) @anchor)
(object (shorthand_property_identifier) @anchor)
(enum_body (enum_assignment) @anchor)
(enum_body (property_identifier) @anchor)

(export_statement) @anchor.wrap

; Decorators of class members are siblings of the member in the class body.
(class_body (decorator) @anchor.leading)
