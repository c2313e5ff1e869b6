use oxc_ast::ast::{BinaryOperator, Expression};
use oxc_ast::AstKind;
use oxc_span::{GetSpan, Span};

use crate::diagnostic::Diagnostic;
use crate::util::{int_literal, last_name, negated_int_literal, nodes};
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// Finds a numeric literal where `struct_info` has a C constant for it: a number
    /// compared with, masked with or switched on a `level`, `optname`, `flags`, `cmd`,
    /// `family`, `type`, `how` or errno-like value; a syscall returning `-N`; an
    /// `FS.ErrnoError(N)`; a local `var SO_REUSEADDR = 2` copy of a constant; a number
    /// OR-ed into a `{{{ cDefs.X | 64 }}}` macro.
    ///
    /// ## Why is this bad?
    /// Reviewers asked for `cDefs` instead of hard-coded numbers on both Direct Sockets
    /// PRs (#26344, #26374). Literals hide which constant is meant, drift from musl's
    /// headers, and are how the prior art shipped `IPV6_MULTICAST_LOOP` and
    /// `IPV6_MULTICAST_HOPS` swapped.
    ///
    /// ## Example
    /// ```js
    /// if (level === 41 /* IPPROTO_IPV6 */) {
    ///   switch (optname) { case 26: return -28; }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Name the constant; if `struct_info.json` lacks it, add it there (and regenerate
    /// `struct_info_generated.json`) in the series' NFC struct_info commit:
    /// ```js
    /// if (level === {{{ cDefs.IPPROTO_IPV6 }}}) {
    ///   switch (optname) { case {{{ cDefs.IPV6_V6ONLY }}}: return -{{{ cDefs.EINVAL }}}; }
    /// }
    /// ```
    pub struct NumericLiteralForConstant {
        code: "DS001",
        name: "numeric-literal-for-c-constant",
        stability: Stable,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &NumericLiteralForConstant::META;

/// Constant families a value of this name is compared with, and whether 0 is meaningful.
pub fn families(name: &str) -> Option<(&'static [&'static str], bool)> {
    let n = name.trim_start_matches('_').to_ascii_lowercase();
    Some(match n.as_str() {
        "level" => (&["SOL_", "IPPROTO_"], true),
        "optname" | "opt" | "option" => (&["SO_", "TCP_", "IP_", "IPV6_"], false),
        "flags" | "msgflags" | "msg_flags" => (&["MSG_", "O_", "SOCK_"], false),
        "cmd" => (&["F_"], false),
        "op" | "request" | "req" => (&["FIO", "SIOC"], false),
        "errno" | "err" | "error" | "errcode" => (&["E"], false),
        "family" | "domain" | "sa_family" => (&["AF_"], false),
        "type" | "socktype" | "sock_type" => (&["SOCK_"], false),
        "how" => (&["SHUT_"], true),
        "protocol" | "proto" => (&["IPPROTO_"], false),
        "events" | "revents" | "mask" => (&["POLL"], false),
        _ => return None,
    })
}

#[allow(clippy::too_many_arguments)]
fn suggest(cx: &Context, out: &mut Vec<Diagnostic>, span: Span, value: i64, context: &str, fams: &[&str], allow_zero: bool, negated: bool) {
    if value == 0 && !allow_zero {
        return;
    }
    let names = cx.constants.names_for(fams, value);
    if names.is_empty() {
        return;
    }
    let sign = if negated { "-" } else { "" };
    let list = names.iter().map(|n| format!("{sign}{{{{{{ cDefs.{n} }}}}}}")).collect::<Vec<_>>().join(" or ");
    out.push(
        META.at(cx, span.start, span.end, format!("numeric literal {sign}{value} {context}; struct_info names it {}", names.join("/")))
            .with_help(format!("write {list}")),
    );
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for node in nodes(cx) {
        match node.kind() {
            AstKind::BinaryExpression(b) => {
                let eq = matches!(
                    b.operator,
                    BinaryOperator::StrictEquality | BinaryOperator::Equality | BinaryOperator::StrictInequality | BinaryOperator::Inequality
                );
                let bits = matches!(b.operator, BinaryOperator::BitwiseAnd | BinaryOperator::BitwiseOR);
                if !eq && !bits {
                    continue;
                }
                for (lit, other) in [(&b.left, &b.right), (&b.right, &b.left)] {
                    let Some(name) = last_name(other) else { continue };
                    let Some((fams, zero)) = families(name) else { continue };
                    let narrowed = if fams.contains(&"SO_") { level_family(cx, node.id()) } else { None };
                    let fams: &[&str] = match &narrowed {
                        Some(f) => std::slice::from_ref(f),
                        None => fams,
                    };
                    if let Some((v, span)) = int_literal(lit) {
                        let what = if eq { "compared with" } else { "masked with" };
                        suggest(cx, out, span, v, &format!("{what} `{name}`"), fams, zero && eq, false);
                    } else if let Some((v, span)) = negated_int_literal(lit) {
                        suggest(cx, out, span, v, &format!("compared with `{name}`"), fams, false, true);
                    }
                }
            }
            AstKind::SwitchStatement(s) => {
                let Some(name) = last_name(&s.discriminant) else { continue };
                let Some((fams, zero)) = families(name) else { continue };
                let narrowed = level_family(cx, node.id());
                let fams: &[&str] = match (&narrowed, fams.contains(&"SO_")) {
                    (Some(f), true) => std::slice::from_ref(f),
                    _ => fams,
                };
                for case in &s.cases {
                    let Some(test) = &case.test else { continue };
                    if let Some((v, span)) = int_literal(test) {
                        suggest(cx, out, span, v, &format!("as a case of `switch ({name})`"), fams, zero, false);
                    }
                }
            }
            AstKind::ReturnStatement(r) => {
                if let Some((v, span)) = r.argument.as_ref().and_then(negated_int_literal) {
                    if v > 1 {
                        suggest(cx, out, span, v, "returned as an errno", &["E"], false, true);
                    }
                }
            }
            AstKind::NewExpression(n) if cx.text(n.callee.span()).ends_with("ErrnoError") => {
                if let Some((v, span)) = n.arguments.first().and_then(|a| a.as_expression()).and_then(int_literal) {
                    suggest(cx, out, span, v, "passed to ErrnoError", &["E"], false, false);
                }
            }
            AstKind::VariableDeclarator(d) => {
                let name = cx.text(d.id.span());
                if let (Some(expected), Some((v, span))) = (cx.constants.get(name), d.init.as_ref().and_then(int_literal)) {
                    if expected == v {
                        out.push(
                            META.at(cx, span.start, span.end, format!("`{name} = {v}` copies a C constant into a local"))
                                .with_help(format!("use {{{{{{ cDefs.{name} }}}}}} where `{name}` is used")),
                        );
                    }
                }
            }
            AstKind::ObjectProperty(p) => {
                let Some(name) = p.key.static_name() else { continue };
                if let (Some(expected), Some((v, span))) = (cx.constants.get(&name), int_literal(&p.value)) {
                    if expected == v && !matches!(p.value, Expression::Identifier(_)) {
                        out.push(
                            META.at(cx, span.start, span.end, format!("`{name}: {v}` copies a C constant into an object"))
                                .with_help(format!("use {{{{{{ cDefs.{name} }}}}}}")),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    check_macros(cx, out);
}

/// The option family an enclosing `if (level === …)` / `case …:` selects: `SO_` under
/// `SOL_SOCKET`, `TCP_` under `IPPROTO_TCP`, `IP_`/`IPV6_` under `IPPROTO_IP`/`IPPROTO_IPV6`.
fn level_family(cx: &Context, id: oxc_semantic::NodeId) -> Option<&'static str> {
    let sem = cx.semantic?;
    for anc in sem.nodes().ancestors(id) {
        let test = match anc.kind() {
            AstKind::IfStatement(i) => i.test.span(),
            AstKind::SwitchCase(c) => match &c.test {
                Some(t) => t.span(),
                None => continue,
            },
            _ => continue,
        };
        let t = cx.original_expanded(test);
        for (level, fam) in [("SOL_SOCKET", "SO_"), ("IPPROTO_TCP", "TCP_"), ("IPPROTO_IPV6", "IPV6_"), ("IPPROTO_IP", "IP_")] {
            let hit = t.match_indices(level).any(|(i, _)| {
                !t[i + level.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            });
            if hit {
                return Some(fam);
            }
        }
    }
    None
}

/// `{{{ cDefs.POLLIN | 64 }}}`: a number OR-ed with a named constant of a family.
fn check_macros(cx: &Context, out: &mut Vec<Diagnostic>) {
    let re = crate::regex!(r"cDefs\.([A-Z][A-Z0-9_]*)\s*\|\s*(\d+)|(\d+)\s*\|\s*cDefs\.([A-Z][A-Z0-9_]*)");
    for m in &cx.masked.macros {
        let text = cx.original(m.span);
        for c in re.captures_iter(text) {
            let (name, num) = match (c.get(1), c.get(2), c.get(3), c.get(4)) {
                (Some(n), Some(v), _, _) | (_, _, Some(v), Some(n)) => (n.as_str(), v),
                _ => continue,
            };
            let family = if name.starts_with("POLL") { "POLL".to_string() } else {
                match name.find('_') { Some(i) => name[..=i].to_string(), None => continue }
            };
            let Ok(v) = num.as_str().parse::<i64>() else { continue };
            let start = m.span.start + num.start() as u32;
            suggest(cx, out, Span::new(start, start + num.len() as u32), v, &format!("OR-ed with cDefs.{name}"), &[family.as_str()], false, false);
        }
    }
}
