//! The C constants `{{{ cDefs.NAME }}}` can name, with their values.
//!
//! Source of truth is the checkout's `src/struct_info_generated.json` (`defines`),
//! extended with the names the series adds to it; without a checkout the table the
//! crate ships (`data/cdefs.tsv`, socket/errno/fcntl/poll families only) is used.

use std::collections::BTreeMap;

/// Where the table came from; shown in reports and used to decide how sure DS003 can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstantsSource {
    /// `data/cdefs.tsv`, compiled into the crate.
    Shipped,
    /// A `struct_info_generated.json` file (path as given).
    StructInfo(String),
}

/// Name → value table.
#[derive(Debug, Clone)]
pub struct Constants {
    by_name: BTreeMap<String, i64>,
    pub source: ConstantsSource,
}

const SHIPPED: &str = include_str!("../data/cdefs.tsv");

/// Name prefixes the shipped table covers completely; DS003 only trusts the shipped
/// table for names in these families.
pub const SHIPPED_FAMILIES: &[&str] = &[
    "AF_", "PF_", "SOCK_", "SOL_", "SO_", "IPPROTO_", "IP_", "IPV6_", "TCP_", "MSG_", "SHUT_",
    "POLL", "F_", "O_", "FIO", "SIOC", "S_IF", "INADDR_", "AI_", "EAI_", "NI_",
];

impl Constants {
    /// The table shipped with the crate.
    pub fn shipped() -> Constants {
        let by_name = SHIPPED
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| {
                let (name, value) = l.split_once('\t')?;
                Some((name.to_string(), value.trim().parse().ok()?))
            })
            .collect();
        Constants { by_name, source: ConstantsSource::Shipped }
    }

    /// Parse `struct_info_generated.json` text (`{"defines": {NAME: value}, "structs": …}`).
    ///
    /// Errors: a message when the text is not JSON or has no `defines` object.
    pub fn from_struct_info(json: &str, origin: &str) -> Result<Constants, String> {
        let v: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("{origin}: not JSON: {e}"))?;
        let defines = v
            .get("defines")
            .and_then(|d| d.as_object())
            .ok_or_else(|| format!("{origin}: no \"defines\" object"))?;
        let by_name = defines
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_i64()?)))
            .collect();
        Ok(Constants { by_name, source: ConstantsSource::StructInfo(origin.to_string()) })
    }

    /// Add the defines a unified diff of `struct_info_generated.json` adds
    /// (`+        "NAME": 42,` lines). Returns how many names were added.
    pub fn extend_from_patch(&mut self, patch: &str) -> usize {
        let re = crate::regex!(r#"^\+\s*"([A-Z_][A-Z0-9_]*)":\s*(-?\d+),?\s*$"#);
        let mut n = 0;
        for line in patch.lines() {
            if let Some(c) = re.captures(line) {
                if let Ok(v) = c[2].parse() {
                    self.by_name.insert(c[1].to_string(), v);
                    n += 1;
                }
            }
        }
        n
    }

    /// Value of `name`, if known.
    pub fn get(&self, name: &str) -> Option<i64> {
        self.by_name.get(name).copied()
    }

    /// Whether DS003 may call `name` unknown: always with a checkout's JSON; with the
    /// shipped table only for the families it covers completely (and errno names).
    pub fn is_authoritative_for(&self, name: &str) -> bool {
        match self.source {
            ConstantsSource::StructInfo(_) => true,
            ConstantsSource::Shipped => {
                SHIPPED_FAMILIES.iter().any(|p| name.starts_with(p)) || is_errno_name(name)
            }
        }
    }

    /// Names in the families `prefixes` (a prefix `"E"` means errno names) whose
    /// value is `value`, sorted.
    pub fn names_for(&self, prefixes: &[&str], value: i64) -> Vec<&str> {
        self.by_name
            .iter()
            .filter(|(name, v)| {
                **v == value
                    && prefixes.iter().any(|p| {
                        if *p == "E" { is_errno_name(name) } else { name.starts_with(p) }
                    })
            })
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// `true` when empty.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// `EAGAIN`, `ECONNRESET`, … (not `EPOLLIN`, `EAI_*`).
pub fn is_errno_name(name: &str) -> bool {
    name.len() > 2
        && name.starts_with('E')
        && !name.starts_with("EPOLL")
        && !name.starts_with("EAI_")
        && name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_has_the_multicast_names_with_musl_values() {
        let c = Constants::shipped();
        assert_eq!(c.get("IPV6_MULTICAST_HOPS"), Some(18));
        assert_eq!(c.get("IPV6_MULTICAST_LOOP"), Some(19));
        assert_eq!(c.get("EAGAIN"), Some(6));
        assert_eq!(c.names_for(&["E"], 6), vec!["EAGAIN", "EWOULDBLOCK"]);
    }

    #[test]
    fn patch_lines_extend_the_table() {
        let mut c = Constants::from_struct_info(r#"{"defines": {"AF_INET": 2}}"#, "x.json").unwrap();
        assert_eq!(c.extend_from_patch("+        \"TCP_NODELAY\": 1,\n-        \"X\": 2,\n"), 1);
        assert_eq!(c.get("TCP_NODELAY"), Some(1));
        assert_eq!(c.get("X"), None);
    }
}
