# Sourced by the wasm builds (scripts/build-web, scripts/build-worker). Panic locations carry
# source paths into the wasm; without this they name this machine's checkout and cargo home
# (the registry's host among them). Each registry source directory becomes `crates/`, the
# checkout `threelo/`: shorter, and the same on every machine.
remap_source_paths() { # repository root
  local flags=("--remap-path-prefix=$1=threelo") dir
  for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
    [ -d "$dir" ] && flags+=("--remap-path-prefix=${dir%/}=crates")
  done
  # Joined by the unit separator, as cargo reads CARGO_ENCODED_RUSTFLAGS: a path with spaces stays whole.
  CARGO_ENCODED_RUSTFLAGS="$(IFS=$'\x1f'; printf '%s' "${flags[*]}")"
  export CARGO_ENCODED_RUSTFLAGS
}
