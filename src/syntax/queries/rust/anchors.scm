; Units an edit snaps to in Rust (core/anchor.ts explains the roles).
; @anchor.leading: outer attributes (#[...]) belong to the item after them.

[
  (function_item)
  (function_signature_item)
  (impl_item)
  (trait_item)
  (struct_item)
  (enum_item)
  (union_item)
  (type_item)
  (const_item)
  (static_item)
  (mod_item)
  (use_declaration)
  (extern_crate_declaration)
  (foreign_mod_item)
  (macro_definition)
  (let_declaration)
  (expression_statement)
  (field_declaration)
  (enum_variant)
  (match_arm)
] @anchor

; The tail expression of a block (no `;`) is a unit too.
(block (_) @anchor .)

(field_initializer_list (field_initializer) @anchor)

(attribute_item) @anchor.leading
