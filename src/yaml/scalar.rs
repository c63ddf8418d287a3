//! Resolution of plain scalars to JSON values, the way kubectl's YAML decoder
//! (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1 rules) reads them: `yes`/`on` are booleans,
//! `0x1F` and `0o17` are integers, `~` is null. Quoted and block scalars are always strings.

use serde_json::{Number, Value};

pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Value::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::String(text.to_string());
    }
    if let Some(number) = parse_integer(text) {
        return Value::Number(number);
    }
    if let Some(number) = parse_float(text) {
        return Value::Number(number);
    }
    Value::String(text.to_string())
}

fn parse_integer(text: &str) -> Option<Number> {
    let (negative, digits) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let digits_no_sep = digits.replace('_', "");
    let (radix, body) = if let Some(hex) = digits_no_sep.strip_prefix("0x") {
        (16, hex.to_string())
    } else if let Some(octal) = digits_no_sep.strip_prefix("0o") {
        (8, octal.to_string())
    } else if let Some(binary) = digits_no_sep.strip_prefix("0b") {
        (2, binary.to_string())
    } else if digits_no_sep.len() > 1
        && digits_no_sep.starts_with('0')
        && digits_no_sep.bytes().all(|b| b.is_ascii_digit())
    {
        // YAML 1.1 octal: `0755`.
        (8, digits_no_sep[1..].to_string())
    } else {
        (10, digits_no_sep)
    };
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let magnitude = u64::from_str_radix(&body, radix).ok()?;
    if negative {
        let value = i64::try_from(magnitude).ok()?.checked_neg()?;
        Some(Number::from(value))
    } else {
        Some(Number::from(magnitude))
    }
}

fn parse_float(text: &str) -> Option<Number> {
    // YAML floats need a digit; Rust would also accept "inf", "nan" and "1e5" forms that YAML
    // 1.1 spells differently, so check the shape first.
    let body = text.trim_start_matches(['-', '+']);
    let shape_ok = body.bytes().any(|b| b.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+' | b'_'));
    if !shape_ok {
        return None;
    }
    let value: f64 = text.replace('_', "").parse().ok()?;
    Number::from_f64(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_like_kubectl() {
        assert_eq!(resolve_plain("3"), json!(3));
        assert_eq!(resolve_plain("-3"), json!(-3));
        assert_eq!(resolve_plain("0x1F"), json!(31));
        assert_eq!(resolve_plain("0755"), json!(493));
        assert_eq!(resolve_plain("1.5"), json!(1.5));
        assert_eq!(resolve_plain("yes"), json!(true));
        assert_eq!(resolve_plain("Off"), json!(false));
        assert_eq!(resolve_plain("~"), Value::Null);
        assert_eq!(resolve_plain("25%"), json!("25%"));
        assert_eq!(resolve_plain("1.2.3"), json!("1.2.3"));
        assert_eq!(resolve_plain("500m"), json!("500m"));
        assert_eq!(resolve_plain("-"), json!("-"));
        assert_eq!(resolve_plain("v1"), json!("v1"));
    }
}
