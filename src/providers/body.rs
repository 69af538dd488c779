//! JSON request bodies written field by field: no `serde_json::Value` tree (its map and
//! tree code stay out of the binary) and no derived serializer per body.

/// A JSON object being written: `Body::new().str("type", "A").num("ttl", 300).end()`.
pub struct Body(String);

impl Body {
    pub fn new() -> Body {
        Body(String::from("{"))
    }

    fn key(mut self, key: &str) -> Body {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push_str(&json_string(key));
        self.0.push(':');
        self
    }

    pub fn str(self, key: &str, value: &str) -> Body {
        let mut b = self.key(key);
        b.0.push_str(&json_string(value));
        b
    }

    /// A field only when there is a value.
    pub fn opt(self, key: &str, value: Option<&str>) -> Body {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    pub fn num(self, key: &str, value: u64) -> Body {
        self.raw(key, &value.to_string())
    }

    pub fn bool(self, key: &str, value: bool) -> Body {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// A value that is JSON already (a nested object or array).
    pub fn raw(self, key: &str, json: &str) -> Body {
        let mut b = self.key(key);
        b.0.push_str(json);
        b
    }

    pub fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

impl Default for Body {
    fn default() -> Body {
        Body::new()
    }
}

/// `s` as a JSON string literal, quotes included (request bodies, notifications, /status).
pub fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_valid_json_with_every_character_escaped() {
        let nested =
            Body::new().str("Name", "zone-name").raw("Values", &format!("[{}]", json_string("a\"b"))).end();
        let text = Body::new()
            .str("content", "\"quoted\" \\ back\nslash\u{1}é")
            .num("ttl", 300)
            .bool("proxied", false)
            .opt("comment", None)
            .opt("notes", Some("家"))
            .raw("Filters", &format!("[{nested}]"))
            .end();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["content"], "\"quoted\" \\ back\nslash\u{1}é");
        assert_eq!((v["ttl"].as_u64(), v["proxied"].as_bool()), (Some(300), Some(false)));
        assert!(v.get("comment").is_none());
        assert_eq!(v["notes"], "家");
        assert_eq!(v["Filters"][0]["Values"][0], "a\"b");
        assert_eq!(Body::new().end(), "{}");
    }
}
