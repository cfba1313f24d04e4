//! What both browser faces convert at the boundary: offsets between characters (the core's
//! units) and UTF-16 code units (JavaScript's), and Rust values into plain JS objects.

use wasm_bindgen::JsValue;

use crate::report::Finding;
use crate::setup::Setup;

/// Characters and UTF-16 code units of one text, converted walking on from the last conversion,
/// so that the many edits of one fix (every repeat of a pasted scope) cost one pass.
pub(crate) struct Utf16Offsets<'t> {
    text: &'t str,
    ascii: bool,
    /// The last conversion's place: characters, UTF-16 units and bytes before it.
    chars: usize,
    units: usize,
    byte: usize,
}

impl<'t> Utf16Offsets<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Utf16Offsets { text, ascii: text.is_ascii(), chars: 0, units: 0, byte: 0 }
    }

    fn back_to_start_unless(&mut self, ahead: bool) {
        if !ahead {
            (self.chars, self.units, self.byte) = (0, 0, 0);
        }
    }

    /// UTF-16 code units before character `chars`.
    pub(crate) fn units_before(&mut self, chars: usize) -> usize {
        if self.ascii {
            return chars;
        }
        self.back_to_start_unless(chars >= self.chars);
        for c in self.text[self.byte..].chars() {
            if self.chars >= chars {
                break;
            }
            (self.chars, self.units, self.byte) =
                (self.chars + 1, self.units + c.len_utf16(), self.byte + c.len_utf8());
        }
        self.units
    }

    /// Characters in the first `units` UTF-16 code units (a unit inside a character counts the
    /// whole character); past the text's end, one more than it has, so that the edit does not fit
    /// and is left out.
    // The ServiceNow module reads no edits from JavaScript.
    #[cfg_attr(not(feature = "web"), allow(dead_code))]
    pub(crate) fn chars_at(&mut self, units: usize) -> usize {
        if self.ascii {
            return if units <= self.text.len() { units } else { self.text.len() + 1 };
        }
        self.back_to_start_unless(units >= self.units);
        for c in self.text[self.byte..].chars() {
            if self.units >= units {
                return self.chars;
            }
            (self.chars, self.units, self.byte) =
                (self.chars + 1, self.units + c.len_utf16(), self.byte + c.len_utf8());
        }
        if self.units >= units {
            self.chars
        } else {
            self.chars + 1
        }
    }
}

/// Character offsets → UTF-16 offsets, for every span and every fix's edits.
pub(crate) fn to_utf16_spans(setup: &Setup, findings: &mut [Finding]) {
    for finding in findings {
        if let (Some(span), Some(text)) = (finding.span.as_mut(), setup.get(finding.field)) {
            let mut offsets = Utf16Offsets::new(text);
            span.start = offsets.units_before(span.start);
            span.end = offsets.units_before(span.end);
        }
        if let Some(fix) = finding.fix.as_mut() {
            let mut offsets = Utf16Offsets::new(setup.get(fix.field).unwrap_or(""));
            for edit in &mut fix.edits {
                edit.start = offsets.units_before(edit.start);
                edit.end = offsets.units_before(edit.end);
            }
        }
    }
}

/// `value` as a plain JS object, through JSON text and `JSON.parse`: one crossing, for answers
/// that are not on a keystroke's path.
pub(crate) fn json_value(value: &impl serde::Serialize) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|error| JsValue::from(js_sys::Error::new(&error.to_string())))?;
    js_sys::JSON::parse(&text)
}
