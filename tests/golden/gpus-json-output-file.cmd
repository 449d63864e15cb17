migplan gpus --format json -o "$TMPDIR/gpus.json" && migplan gpus --format json | cmp - "$TMPDIR/gpus.json" && echo "-o wrote the same JSON as standard output"
