//! Escaping strings for XML 1.0 written by hand (the formats' XML is small
//! and regular): character data and attribute values.

/// `text` as XML character data: `&`, `<` and `>` escaped, and characters
/// XML 1.0 cannot hold replaced by U+FFFD.
pub(crate) fn text(text: &str) -> String {
    escape(text, false)
}

/// `value` as a double-quoted XML attribute value: as [`text`], and `"`,
/// tab, line feed and carriage return as character references, which a
/// parser keeps (it would turn them, written as they are, into spaces).
pub(crate) fn attribute(value: &str) -> String {
    escape(value, true)
}

fn escape(text: &str, in_attribute: bool) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' if in_attribute => escaped.push_str("&quot;"),
            '\t' if in_attribute => escaped.push_str("&#9;"),
            '\n' if in_attribute => escaped.push_str("&#10;"),
            '\r' => escaped.push_str("&#13;"),
            '\t' | '\n' => escaped.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => escaped.push('\u{FFFD}'),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_impossible_characters_replaced() {
        assert_eq!(text("a & b <c> café"), "a &amp; b &lt;c&gt; café");
        assert_eq!(text("bell\u{7}"), "bell\u{FFFD}");
        assert_eq!(text("\"two\nlines\""), "\"two\nlines\"");
        assert_eq!(text("cr\r"), "cr&#13;");
        assert_eq!(
            attribute("say \"hi\"\tnow\n<&>"),
            "say &quot;hi&quot;&#9;now&#10;&lt;&amp;&gt;"
        );
    }
}
