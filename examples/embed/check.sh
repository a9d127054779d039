#!/usr/bin/env bash
# Usage: examples/embed/check.sh BUILD_DIR
# Checks the package as an embedder gets it (docs/embedding.md): installs BUILD_DIR into a
# temporary prefix; its public headers define no unprefixed macro; examples/embed builds with
# find_package(raftvault) alone (warnings are errors) and runs; one file compiles and links
# with `pkg-config --cflags --libs raftvault` alone and runs. Reuses BUILD_DIR's objects.
set -euo pipefail
build=$(cd "${1:?usage: examples/embed/check.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/raftvault-embed.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cxx=${CXX:-c++}
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

cmake --install "$build" --prefix "$prefix" >/dev/null
pc_file=$(find "$prefix" -name raftvault.pc)
export PKG_CONFIG_PATH=$(dirname "$pc_file")
read -r -a cflags <<<"$(pkg-config --cflags raftvault)"
read -r -a libs <<<"$(pkg-config --libs raftvault)"

"$root/cmake/check_public_macros.sh" "$cxx" "${cflags[@]}"

cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" \
      "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror" >/dev/null
cmake --build "$work/build"
"$work/build/embed_example" "$work/store"

"$cxx" -std=c++17 -Wall -Wextra -Werror "${cflags[@]}" "$here/pkg_config_check.cpp" \
       -o "$work/pkg_config_check" "${libs[@]}"
"$work/pkg_config_check" "$work/no-store"
echo "package check passed: installed, examples/embed and a pkg-config consumer built and ran"
