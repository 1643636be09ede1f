; inherits: typescript
; TSX adds JSX elements to the TypeScript units.

[
  (jsx_element)
  (jsx_self_closing_element)
] @anchor

; Only expression children of an element; `{...}` attribute values stay inside their element.
(jsx_element (jsx_expression) @anchor)
