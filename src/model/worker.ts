// Placeholder entry; the inference worker is implemented in this folder.
export {};
