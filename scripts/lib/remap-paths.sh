# Sourced by the wasm builds (scripts/build-web, scripts/build-worker). Panic locations carry
# source paths into the wasm; the dependencies' would name this machine's cargo home (the
# registry's host among them), so each registry source directory becomes `crates/`, the same on
# every machine. (This crate's own paths are already relative: cargo passes them so.)
remap_source_paths() {
  local flags=() dir
  for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
    [ -d "$dir" ] && flags+=("--remap-path-prefix=${dir%/}=crates")
  done
  # Joined by the unit separator, as cargo reads CARGO_ENCODED_RUSTFLAGS: a path with spaces stays whole.
  CARGO_ENCODED_RUSTFLAGS="$(IFS=$'\x1f'; printf '%s' "${flags[*]}")"
  export CARGO_ENCODED_RUSTFLAGS
}
