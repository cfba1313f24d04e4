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

#[test]
fn committed_operations_table_matches_its_facts_file() {
    let output = Command::new("node")
        .args(["scripts/generate-operation-catalog.mjs", "--stdout"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("node must be installed to check the operations table (the test command installs it)");
    assert!(output.status.success(), "the generator failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let fresh = String::from_utf8(output.stdout).unwrap();
    assert!(
        fresh == include_str!("../src/catalog/operations.rs"),
        "src/catalog/operations.rs disagrees with src/catalog/confluence-operations.json: run \
         `node scripts/generate-operation-catalog.mjs` and commit the result"
    );
}

#[test]
fn every_scope_an_operation_names_is_in_the_scope_registry() {
    let operations = threelo::catalog::confluence_operations().chain(threelo::catalog::PLATFORM_OPERATIONS);
    let mut unknown: Vec<String> = Vec::new();
    for operation in operations {
        for set in operation.scope_sets() {
            for scope in set.iter() {
                if threelo::catalog::lookup_scope(scope).is_none() {
                    unknown.push(format!("{} needs {scope}", operation.label()));
                }
            }
        }
    }
    assert!(unknown.is_empty(), "scopes the registry does not know:\n{}", unknown.join("\n"));
    // What DOMAIN.md §10 counts: 130 + 218 operations, of which 127 + 215 name scopes.
    let all: Vec<_> = threelo::catalog::confluence_operations().collect();
    let with_scopes = |api| all.iter().filter(|op| op.api == api && op.scope_sets().next().is_some()).count();
    let of = |api| all.iter().filter(|op| op.api == api).count();
    use threelo::catalog::Api;
    assert_eq!((of(Api::V1), with_scopes(Api::V1)), (130, 127));
    assert_eq!((of(Api::V2), with_scopes(Api::V2)), (218, 215));
}
