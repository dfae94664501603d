# targets.sh: shell functions that read targets.txt, the list of supported
# GOOS/GOARCH targets, for mkall.sh and the scripts in .ci/. Source it:
#
#	source internal/targets/targets.sh
#	for goos in $(target_gooses); do ...; done
#
# The Go side reads the same file through package targets; its test checks
# that these functions and the Go parser agree.

targets_file="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/targets.txt"
# A missing list must stop the script that sources this, not leave its
# loops over targets silently empty.
if [ ! -r "$targets_file" ]; then
	echo "targets.sh: cannot read $targets_file" >&2
	return 1
fi

# target_list prints every target as GOOS/GOARCH, one a line, in the list's order.
target_list() {
	awk '!/^[[:space:]]*#/ && NF { print $1 "/" $2 }' "$targets_file"
}

# target_gooses prints each GOOS once, in order of first appearance.
target_gooses() {
	awk '!/^[[:space:]]*#/ && NF && !seen[$1]++ { print $1 }' "$targets_file"
}

# target_arches GOOS prints the GOARCHes listed for GOOS, one a line.
target_arches() {
	awk -v goos="$1" '!/^[[:space:]]*#/ && NF && $1 == goos { print $2 }' "$targets_file"
}
