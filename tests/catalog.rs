//! The committed scope catalog must be what the generator makes from the pinned registry.

use std::process::Command;

#[test]
fn committed_catalog_matches_a_fresh_generation() {
    let output = Command::new("node")
        .args(["scripts/generate-scope-catalog.mjs", "--stdout"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("node must be installed to check the scope catalog (the test command installs it)");
    assert!(
        output.status.success(),
        "the generator failed (is @forge/manifest installed? run `npm ci`):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let fresh = String::from_utf8(output.stdout).unwrap();
    let committed = include_str!("../src/catalog/registry.rs");
    assert!(
        fresh == committed,
        "src/catalog/registry.rs is stale: run `node scripts/generate-scope-catalog.mjs` and commit the result"
    );
    assert!(committed.contains(&format!("@forge/manifest {}", threelo::catalog::SOURCE_VERSION)));
}
