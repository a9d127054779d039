#!/bin/sh
# Usage: check_public_macros.sh COMPILER [FLAGS...]
# Fails, naming them, when <raftvault/raftvault.h> (found through FLAGS) does not preprocess or
# defines a macro that neither starts with RAFTVAULT_ nor comes from CAF or the system headers:
# the public headers must not hand an embedder unprefixed macros such as the library's RV_TRY.
set -eu
compiler=$1
shift
work=$(mktemp -d "${TMPDIR:-/tmp}/raftvault-macros.XXXXXX")
trap 'rm -rf "$work"' EXIT

macros() {  # header, output file, flags...
  header=$1 out=$2
  shift 2
  printf '#include <%s>\n' "$header" >"$work/source.cpp"
  "$compiler" -std=c++17 -E -dM "$@" "$work/source.cpp" >"$work/defines"
  sed -n 's/^#define \([A-Za-z0-9_]*\).*/\1/p' "$work/defines" | sort -u >"$out"
}

macros caf/all.hpp "$work/baseline" "$@"
macros raftvault/raftvault.h "$work/public" "$@"
leaked=$(comm -23 "$work/public" "$work/baseline" | grep -v -e '^_' -e '^RAFTVAULT_' || true)
if [ -n "$leaked" ]; then
  echo "the public headers (<raftvault/raftvault.h>) define macros without a RAFTVAULT_ prefix:" \
       $leaked >&2
  exit 1
fi
echo "the public headers define no unprefixed macro"
