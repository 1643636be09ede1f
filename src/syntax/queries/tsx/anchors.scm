; inherits: typescript
; TSX adds JSX elements to the TypeScript units.

[
  (jsx_element)
  (jsx_self_closing_element)
  (jsx_expression)
] @anchor
