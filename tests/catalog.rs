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
    // The generator writes SOURCE_VERSION from the package it read, so it always matches the header
    // above; what can differ is the package read: it must be the one package.json pins, not whatever
    // happens to be installed.
    let package: serde_json::Value = serde_json::from_str(include_str!("../package.json")).unwrap();
    assert_eq!(
        package["devDependencies"]["@forge/manifest"].as_str(),
        Some(threelo::catalog::SOURCE_VERSION),
        "src/catalog/registry.rs was generated from another @forge/manifest than package.json pins"
    );
}
