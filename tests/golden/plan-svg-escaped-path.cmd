cp examples/h200-inference-node.yaml "$TMPDIR/a&b<c>'d\".yaml"
migplan plan "$TMPDIR/a&b<c>'d\".yaml" --format svg -o "$TMPDIR/p.svg" && grep -c "a&amp;b&lt;c&gt;&apos;d&quot;.yaml" "$TMPDIR/p.svg"
