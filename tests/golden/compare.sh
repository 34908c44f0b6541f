# Sourced by golden runners: golden_compare NAME KINDS compares $tmp/KIND with
# expected/NAME.KIND for each KIND (e.g. "out err rc"), printing the diffs as TAP
# comments; with VGT_GOLDEN_UPDATE=1 it first rewrites the expected files.
# Returns 0 when all are equal.
golden_compare() {
    _name=$1 _bad=
    if [ "${VGT_GOLDEN_UPDATE:-}" = 1 ]; then
        mkdir -p expected
        for _k in $2; do cp "$tmp/$_k" "expected/$_name.$_k"; done
    fi
    for _k in $2; do
        if ! diff -u "expected/$_name.$_k" "$tmp/$_k" > "$tmp/diff" 2>&1; then
            _bad=1
            sed 's/^/# /' "$tmp/diff"
        fi
    done
    [ -z "$_bad" ]
}
