//! What a setup is for, for JavaScript: `scopesFor` (the least-privilege list), and the known
//! uses a page offers to pick from (`operations`, `spokeActions`). Small answers, built as plain
//! objects here: none of them runs per keystroke on a page with many findings.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::catalog::{confluence_operations, Api};
use crate::uses::{scopes_for, use_items, SPOKE_ACTIONS};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A scope the uses need, with the uses that need it. */
export interface PlannedScope {
  scope: string;
  needed_by: string[];
  /** `doc` when a use named its operation (the specs say it), `unsure` when only spoke actions need it. */
  basis: "doc" | "unsure";
}
/** One call a use stands for (a spoke action is its call). */
export interface PlannedUse {
  use: string;
  /** `GET /wiki/api/v2/pages`. */
  operation: string;
  /** Whether an admin's app access rule cannot block it; `null` when the specs do not say. */
  access_rule_exempt: boolean | null;
}
export interface UnknownUse { use: string; did_you_mean: string[]; }
/** The least-privilege scopes for some uses; `scope` is them space-joined, to paste. No `offline_access` of its own. */
export interface ScopePlan { scopes: PlannedScope[]; scope: string; uses: PlannedUse[]; unknown: UnknownUse[]; }
/** An operation of Confluence REST v1 or v2, from Atlassian's OpenAPI documents; `use` is how `uses` names it. */
export interface OperationInfo { use: string; method: string; path: string; operation_id: string; api: "v1" | "v2"; }
/** A ServiceNow Confluence Cloud spoke action: `use` is how `uses` names it. */
export interface SpokeActionInfo { name: string; use: string; operation: string; }
"#;

/// The scopes a client making `uses` needs (a list, or text one a line), each with the uses
/// that need it; `servicenow` stands for all of the spoke's actions.
#[wasm_bindgen(js_name = scopesFor, unchecked_return_type = "ScopePlan")]
pub fn scopes_for_uses(
    #[wasm_bindgen(unchecked_param_type = "string | string[]")] uses: JsValue,
) -> Result<JsValue, JsValue> {
    let items: Vec<String> = if let Some(text) = uses.as_string() {
        use_items(&text).map(|(item, _)| item.to_string()).collect()
    } else if Array::is_array(&uses) {
        Array::from(&uses)
            .iter()
            .map(|item| item.as_string().ok_or_else(|| type_error("scopesFor() takes uses as strings only")))
            .collect::<Result<_, _>>()?
    } else {
        return Err(type_error("scopesFor() takes a list of uses or text with one use a line"));
    };
    let plan = scopes_for(items.iter().map(String::as_str));
    let scopes = list(plan.scopes.iter().map(|planned| {
        object(&[
            ("scope", planned.scope.into()),
            ("needed_by", strings(&planned.needed_by)),
            ("basis", planned.basis.into()),
        ])
    }));
    let planned_uses = list(plan.uses.iter().map(|planned| {
        object(&[
            ("use", planned.use_.as_str().into()),
            ("operation", planned.operation.as_str().into()),
            ("access_rule_exempt", planned.access_rule_exempt.map_or(JsValue::NULL, JsValue::from)),
        ])
    }));
    let unknown = list(plan.unknown.iter().map(|unknown| {
        object(&[("use", unknown.use_.as_str().into()), ("did_you_mean", strings(&unknown.did_you_mean))])
    }));
    Ok(object(&[
        ("scopes", scopes),
        ("scope", plan.scope.as_str().into()),
        ("uses", planned_uses),
        ("unknown", unknown),
    ]))
}

/// Every operation of Confluence REST v1 and v2, sorted by path, then method.
#[wasm_bindgen(js_name = operations, unchecked_return_type = "OperationInfo[]")]
pub fn operation_list() -> JsValue {
    list(confluence_operations().map(|operation| {
        object(&[
            ("use", operation.label().into()),
            ("method", operation.method.as_str().into()),
            ("path", operation.path.into()),
            ("operation_id", operation.operation_id.into()),
            ("api", if operation.api == Api::V2 { "v2" } else { "v1" }.into()),
        ])
    }))
}

/// The ServiceNow spoke's actions, as threelo knows their calls.
#[wasm_bindgen(js_name = spokeActions, unchecked_return_type = "SpokeActionInfo[]")]
pub fn spoke_action_list() -> JsValue {
    list(SPOKE_ACTIONS.iter().map(|action| {
        object(&[("name", action.name.into()), ("use", action.use_text().into()), ("operation", action.call().into())])
    }))
}

fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

fn object(properties: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in properties {
        // Setting a property of a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

fn list(items: impl Iterator<Item = JsValue>) -> JsValue {
    items.collect::<Array>().into()
}

fn strings(items: &[String]) -> JsValue {
    list(items.iter().map(|item| JsValue::from_str(item)))
}
