//! `OverrideArmParameters` read exactly as the deployment task reads it
//! (`getParameterValuesFromArmTemplate` in `armtemplateutils.ts` of the 2.x task): text starting
//! with `-` is `-name value` pairs, where a name runs to the first space and a value to the next
//! `" -"` (so a value containing `" -"` is cut there, and pairs on separate lines are *not*
//! separated: only `" -"` separates them); one pair of surrounding quotes is dropped. Any other
//! text is YAML (`name: value` lines). A value that parses as JSON is deployed as that JSON
//! (`5` a number, `true` a boolean), anything else as a string. The [`Overrides::notes`] say
//! where the text is probably not what its author meant.

use std::collections::BTreeMap;

use serde_json::Value;

/// How the text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideFormat {
    Empty,
    Pairs,
    Yaml,
}

/// The overrides the task would apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overrides {
    pub format: OverrideFormat,
    /// Parameter name → the text the task gives it.
    pub values: BTreeMap<String, String>,
    /// Readings that are probably a mistake, as sentences.
    pub notes: Vec<String>,
}

impl Overrides {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }
}

fn sanitize(v: &str) -> &str {
    let quoted = v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')));
    if quoted {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// Reads `OverrideArmParameters`.
pub fn parse(raw: &str) -> Overrides {
    let mut o = Overrides {
        format: OverrideFormat::Empty,
        values: BTreeMap::new(),
        notes: Vec::new(),
    };
    // The task ignores two characters or fewer.
    if raw.len() <= 2 {
        return o;
    }
    if raw.starts_with('-') {
        o.format = OverrideFormat::Pairs;
        parse_pairs(raw, &mut o);
    } else {
        o.format = OverrideFormat::Yaml;
        parse_yaml(raw, &mut o);
    }
    o
}

fn parse_pairs(raw: &str, o: &mut Overrides) {
    let mut s = raw.to_owned();
    let mut guard = 0;
    while !s.is_empty() && s.contains('-') && s.contains(' ') && guard < 1000 {
        guard += 1;
        let (Some(dash), Some(space)) = (s.find('-'), s.find(' ')) else {
            break;
        };
        if space < dash + 1 {
            o.notes.push(format!(
                "The overrides contain \"{}\" where the task expects \"-name value\"; it stops \
                 reading there.",
                s.chars().take(40).collect::<String>()
            ));
            break;
        }
        let name = s[dash + 1..space].trim().to_owned();
        s = s[space..].to_owned();
        let start = s.find(' ').map_or(0, |i| i + 1);
        let end = s[start..].find(" -").map_or(s.len(), |i| i + start);
        let value = sanitize(s[start..end].trim()).to_owned();
        if value.contains("\n-") || value.contains("\r\n-") {
            o.notes.push(format!(
                "The value of -{name} runs over a line break into \"-…\": the task separates \
                 pairs only at \" -\", so the next line becomes part of this value. Put the pairs \
                 on one line, separated by spaces, or write YAML lines (name: value)."
            ));
        }
        if name.is_empty() {
            o.notes
                .push("An override has no name (a lone \"-\").".to_owned());
        } else if o.values.insert(name.clone(), value).is_some() {
            o.notes.push(format!(
                "-{name} is given twice; the task uses the last one."
            ));
        }
        s = s[end..].trim().to_owned();
    }
    let rest = s.trim();
    if !rest.is_empty() {
        o.notes.push(format!(
            "The end of the overrides (\"{}\") is not a \"-name value\" pair and is ignored.",
            rest.chars().take(40).collect::<String>()
        ));
    }
}

fn parse_yaml(raw: &str, o: &mut Overrides) {
    for line in raw.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        match t.split_once(':') {
            Some((k, v)) if !k.trim().is_empty() => {
                let v = v.trim();
                // An inline comment after a plain value.
                let v = match v.find(" #") {
                    Some(i) if !v.starts_with('"') && !v.starts_with('\'') => v[..i].trim(),
                    _ => v,
                };
                o.values.insert(k.trim().to_owned(), sanitize(v).to_owned());
            }
            _ => o.notes.push(format!(
                "The override line \"{}\" is neither \"-name value\" nor \"name: value\".",
                t.chars().take(60).collect::<String>()
            )),
        }
    }
}

/// The value the task writes for an override's text: JSON when it parses as JSON, else a string.
pub fn value_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pairs_are_split_at_space_dash() {
        let o = parse("-a https://x.vault.azure.net/ -b \"Data Source=p;Initial Catalog=s\" -c 5");
        assert_eq!(o.format, OverrideFormat::Pairs);
        assert_eq!(o.get("a"), Some("https://x.vault.azure.net/"));
        assert_eq!(o.get("b"), Some("Data Source=p;Initial Catalog=s"));
        assert_eq!(value_of(o.get("c").unwrap()), json!(5));
        assert!(o.notes.is_empty(), "{:?}", o.notes);
    }

    #[test]
    fn a_value_containing_space_dash_is_cut_like_the_task_cuts_it() {
        let o = parse("-note \"keep -this together\" -b x");
        assert_eq!(o.get("note"), Some("\"keep"), "the value ends at ' -'");
        assert!(
            o.values.contains_key("this"),
            "the rest became a parameter: {:?}",
            o.values
        );
        assert_eq!(o.get("b"), Some("x"));
    }

    #[test]
    fn pairs_on_separate_lines_swallow_the_next_line() {
        let o = parse("-a one\n-b two");
        assert_eq!(o.get("a"), Some("one\n-b two"));
        assert_eq!(o.get("b"), None);
        assert!(
            o.notes.iter().any(|n| n.contains("line break")),
            "{:?}",
            o.notes
        );
    }

    #[test]
    fn yaml_lines_and_quotes() {
        let o = parse("ls_url: https://prod\nls_key: 'quoted value'\n# comment\nn: 3 # inline");
        assert_eq!(o.format, OverrideFormat::Yaml);
        assert_eq!(o.get("ls_url"), Some("https://prod"));
        assert_eq!(o.get("ls_key"), Some("quoted value"));
        assert_eq!(o.get("n"), Some("3"));
    }

    #[test]
    fn empty_and_tiny_texts_are_ignored() {
        assert_eq!(parse("").format, OverrideFormat::Empty);
        assert_eq!(parse("-a").format, OverrideFormat::Empty);
        assert!(parse("-a").values.is_empty());
    }

    #[test]
    fn a_repeated_name_keeps_the_last_and_says_so() {
        let o = parse("-a 1 -a 2");
        assert_eq!(o.get("a"), Some("2"));
        assert!(o.notes.iter().any(|n| n.contains("twice")));
    }

    #[test]
    fn json_values_are_deployed_as_json() {
        assert_eq!(value_of("true"), json!(true));
        assert_eq!(value_of("{\"a\":1}"), json!({"a": 1}));
        assert_eq!(value_of("https://x"), json!("https://x"));
    }
}
