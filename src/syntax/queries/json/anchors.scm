; Units an edit snaps to in JSON: object members and array elements.

(pair) @anchor
(array (_) @anchor)
