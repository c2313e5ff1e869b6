use crate::diagnostic::Diagnostic;
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// In `src/settings.js`, finds comment text quoted with single backticks
    /// (`` `FOO` ``) instead of double backticks (` ``FOO`` `). RST roles such as
    /// `` :ref:`FOO` `` keep their single backticks.
    ///
    /// ## Why is this bad?
    /// The settings comments become the reStructuredText settings reference, where
    /// single backticks are "interpreted text" (italics), not code. sbc100 asked for
    /// double backticks in the NODERAWSOCKETS review (#27080).
    ///
    /// ## Example
    /// ```js
    /// // Use the Direct Sockets API; requires `ENVIRONMENT=web`.
    /// ```
    ///
    /// ## Fix
    /// ```js
    /// // Use the Direct Sockets API; requires ``ENVIRONMENT=web``.
    /// ```
    pub struct SettingsSingleBackticks {
        code: "DS015",
        name: "settings-single-backticks",
        stability: Stable,
        target: Lines,
    }
}

const META: &crate::RuleMeta = &SettingsSingleBackticks::META;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    if !cx.path.ends_with("settings.js") {
        return;
    }
    let mut offset = 0usize;
    for line in cx.source.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some(c) = line.find("//") else { continue };
        let bytes = line.as_bytes();
        let mut i = c;
        while i < bytes.len() {
            if bytes[i] == b'`' {
                let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
                if run == 1 {
                    if let Some(close) = line[i + 1..].find('`').map(|j| j + i + 1) {
                        let word = &line[i + 1..close];
                        // `:ref:`NAME`` (an RST role) takes single backticks.
                        let role = crate::regex!(r":[a-z][a-z:_-]*:$").is_match(&line[..i]);
                        if !role && !word.is_empty() && bytes.get(close + 1) != Some(&b'`') {
                            let (s, e) = ((start + i) as u32, (start + close + 1) as u32);
                            out.push(
                                META.at(cx, s, e, format!("single backticks around `{word}` in a settings comment"))
                                    .with_help(format!("use double backticks: ``{word}``")),
                            );
                        }
                        i = close + 1;
                        continue;
                    }
                }
                i += run;
            } else {
                i += 1;
            }
        }
    }
}
