// Placeholder entry; the CLI is implemented in this folder.
process.stderr.write('diffuse-edit: not built yet\n');
process.exit(2);
