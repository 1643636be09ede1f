; inherits: c
; C++ adds classes, namespaces, templates and its own statements to the C units.
; A template declaration wraps the definition it parameterises.

[
  (namespace_definition)
  (alias_declaration)
  (using_declaration)
  (friend_declaration)
  (static_assert_declaration)
  (concept_definition)
  (linkage_specification)
  (for_range_loop)
  (try_statement)
  (throw_statement)
  (co_return_statement)
  (co_yield_statement)
] @anchor

(class_specifier body: (_)) @anchor

(template_declaration) @anchor.wrap
