//! `cargo bench`: time of one `check`, and of applying every safe fix, on a realistic setup and on
//! pathological input.

use threelo::{check, Setup};

fn main() {
    divan::main();
}

fn servicenow_setup() -> Setup {
    Setup {
        client_id: Some("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z".into()),
        client_secret: Some(format!("ATOA{}{}", "x".repeat(64), "0A1B2C3D")),
        callback_url: Some("https://dev12345.service-now.com/oauth_redirect.do".into()),
        redirect_url: Some("https://dev12345.service-now.com/oauth_redirect.do/".into()),
        scopes: Some(
            "ace:confluence,read:page:confluence,search:confluence,read:confluence-groups,write:confluence-groups,\
             read:confluence-user,read:me,read:account,offline_access"
                .into(),
        ),
        grant_type: Some("Authorization Code".into()),
        token_url: Some("https://auth.atlassian.com/oauth/token".into()),
        revocation_url: Some("https://auth.atlassian.com/oauth/token".into()),
        api_base_url: Some("https://api.atlassian.com/".into()),
        ..Setup::default()
    }
}

/// The ServiceNow spoke's documented setup, mistakes included.
#[divan::bench]
fn realistic(bencher: divan::Bencher) {
    let setup = servicenow_setup();
    bencher.bench(|| check(divan::black_box(&setup)));
}

/// 100 KB of scope text: a thousand-odd distinct near-miss scopes, each needing suggestions.
#[divan::bench]
fn scopes_100kb(bencher: divan::Bencher) {
    let mut scopes = String::new();
    let mut i = 0;
    while scopes.len() < 100 * 1024 {
        scopes.push_str(&format!("read:confluence-space{i}, "));
        i += 1;
    }
    let setup = Setup { scopes: Some(scopes), ..servicenow_setup() };
    bencher.bench(|| check(divan::black_box(&setup)));
}

/// 100 KB of one unbroken token in every field.
#[divan::bench]
fn one_token_100kb_everywhere(bencher: divan::Bencher) {
    let junk = "é".repeat(50 * 1024);
    let setup = Setup {
        client_id: Some(junk.clone()),
        client_secret: Some(junk.clone()),
        callback_url: Some(junk.clone()),
        redirect_url: Some(junk.clone()),
        scopes: Some(junk.clone()),
        grant_type: Some(junk.clone()),
        authorization_url: Some(junk.clone()),
        token_url: Some(junk.clone()),
        revocation_url: Some(junk.clone()),
        api_base_url: Some(junk.clone()),
        app_scopes: Some(junk.clone()),
        uses: Some(junk),
    };
    bencher.bench(|| check(divan::black_box(&setup)));
}

/// Twenty uses in every form (templates, concrete paths, the gateway, operationIds, the spoke),
/// with the app's scopes: what `uses` and `app_scopes` add to a check.
#[divan::bench]
fn servicenow_setup_with_20_uses(bencher: divan::Bencher) {
    let uses = [
        "servicenow",
        "GET /wiki/api/v2/pages/{id}",
        "GET /wiki/api/v2/pages/12345?body-format=storage",
        "GET https://api.atlassian.com/ex/confluence/0a1b2c3d-0000-4000-8000-0123456789ab/wiki/api/v2/spaces/98765",
        "POST /wiki/api/v2/pages",
        "PUT /wiki/api/v2/pages/12345",
        "getBlogPosts",
        "GET /wiki/api/v2/pages/12345/children",
        "GET /wiki/rest/api/search?cql=type=page",
        "searchByCQL",
        "GET /wiki/rest/api/group",
        "getGroupMembersByGroupId",
        "GET /wiki/rest/api/user/memberof",
        "GET /wiki/api/v2/attachments/att1",
        "GET /wiki/api/v2/spaces",
        "getLabels",
        "GET /wiki/api/v2/footer-comments/1",
        "GET /me",
        "GET /oauth/token/accessible-resources",
        "servicenow: Look up Spaces Stream",
    ];
    let setup = Setup {
        uses: Some(uses.join("\n")),
        app_scopes: Some("search:confluence\nread:confluence-groups\nRead user\nread:page:confluence".into()),
        ..servicenow_setup()
    };
    bencher.bench(|| check(divan::black_box(&setup)));
}

/// The spoke's least-privilege list (`threelo scopes servicenow`, `scopesFor(["servicenow"])`).
#[divan::bench]
fn scopes_for_servicenow(bencher: divan::Bencher) {
    bencher.bench(|| threelo::uses::scopes_for(divan::black_box(["servicenow"])));
}

/// Every safe fix of the ServiceNow setup at once: what `threelo check --fix` and the docs page's
/// "Apply all fixes" cost.
#[divan::bench]
fn apply_all_fixes(bencher: divan::Bencher) {
    let setup = servicenow_setup();
    bencher.bench(|| threelo::apply_fixes(&setup, &check(&setup), false));
}

/// Two scopes pasted 10,000 times each: each one's fix removes every repeat (10,000 edits), so
/// comparing the two fixes is where an all-pairs overlap check would take its square.
#[divan::bench]
fn apply_all_fixes_to_pasted_repeats(bencher: divan::Bencher) {
    let setup = Setup { scopes: Some("openid email ".repeat(10_000)), ..servicenow_setup() };
    bencher.bench(|| threelo::apply_fixes(&setup, &check(&setup), false));
}

/// `explain` on the most common API error, its request matched to an operation of the catalog and
/// held against ServiceNow's documented setup (which is checked too, for the bearing findings).
#[divan::bench]
fn explain_scope_mismatch_with_setup(bencher: divan::Bencher) {
    let incident = threelo::Incident {
        status: Some(401),
        body: Some(r#"{"code":401,"message":"Unauthorized; scope does not match"}"#.into()),
        method: Some("GET".into()),
        url: Some(
            "https://api.atlassian.com/ex/confluence/0a1b2c3d-0000-4000-8000-0123456789ab/wiki/api/v2/spaces".into(),
        ),
        ..threelo::Incident::default()
    };
    let setup = servicenow_setup();
    bencher.bench(|| threelo::explain(divan::black_box(&incident), Some(&setup)));
}

/// `explain` on hostile input: 100 KB of HTML tags in the body and 100 KB of words in the text
/// (each read from its first 64 KB).
#[divan::bench]
fn explain_200kb_pasted(bencher: divan::Bencher) {
    let incident = threelo::Incident {
        status: Some(400),
        body: Some(format!("<html><body>{}</body></html>", "<p a='b'>x</p>".repeat(7_500))),
        text: Some("access_denied refresh invalid ".repeat(3_500)),
        ..threelo::Incident::default()
    };
    bencher.bench(|| threelo::explain(divan::black_box(&incident), None));
}

/// A ServiceNow XML export read and checked whole (the setup's findings with their origins, and
/// the `servicenow/*` ones): what `threelo check export.xml` does after reading the file.
#[divan::bench]
fn servicenow_export_read_and_checked(bencher: divan::Bencher) {
    let text = include_str!("../examples/servicenow-authorization-code.export.xml");
    bencher.bench(|| threelo::servicenow::read_servicenow(divan::black_box(text)).map(|imported| imported.check()));
}

/// A configuration template read and checked whole, the same way.
#[divan::bench]
fn servicenow_template_read_and_checked(bencher: divan::Bencher) {
    let text = include_str!("../examples/servicenow-authorization-code.template.json");
    bencher.bench(|| threelo::servicenow::read_servicenow(divan::black_box(text)).map(|imported| imported.check()));
}

/// 1.9 MB of hostile XML (just under the size limit): how long a refusal takes.
#[divan::bench]
fn servicenow_hostile_xml_refused(bencher: divan::Bencher) {
    let text = format!("<unload>{}</unload>", "<a>".repeat(600_000));
    bencher.bench(|| threelo::servicenow::read_servicenow(divan::black_box(&text)).is_err());
}
