use oxc_ast::AstKind;
use oxc_span::GetSpan;

use crate::diagnostic::Diagnostic;
use crate::util::{int_literal, nodes};
use crate::Context;

crate::declare_rule! {
    /// ## What it does
    /// Finds a local variable or object key named after a C constant
    /// (`var IPV6_MULTICAST_LOOP = 18`) whose value is not the value `struct_info`
    /// records for that name.
    ///
    /// ## Why is this bad?
    /// The code silently implements a different option than the one it names. The
    /// prior art's `IPV6_MULTICAST_LOOP = 18, IPV6_MULTICAST_HOPS = 19` is the reverse of
    /// musl (`netinet/in.h`: HOPS is 18, LOOP is 19), so `setsockopt(IPV6_MULTICAST_HOPS)`
    /// toggled loopback.
    ///
    /// ## Example
    /// ```js
    /// var IPV6_MULTICAST_LOOP = 18, IPV6_MULTICAST_HOPS = 19;
    /// ```
    ///
    /// ## Fix
    /// Delete the local copies and use `{{{ cDefs.IPV6_MULTICAST_LOOP }}}` and
    /// `{{{ cDefs.IPV6_MULTICAST_HOPS }}}`, which come from the C headers.
    pub struct ConstantValueMismatch {
        code: "DS002",
        name: "constant-value-mismatch",
        stability: Stable,
        target: Ast,
    }
}

const META: &crate::RuleMeta = &ConstantValueMismatch::META;

fn report(cx: &Context, out: &mut Vec<Diagnostic>, name: &str, value: i64, span: oxc_span::Span) {
    let Some(expected) = cx.constants.get(name) else { return };
    if expected == value {
        return;
    }
    let prefix = name.find('_').map_or(name, |i| &name[..=i]);
    let owner = cx.constants.names_for(&[prefix], value);
    let owner = if owner.is_empty() { String::new() } else { format!(" ({value} is {})", owner.join("/")) };
    out.push(
        META.at(cx, span.start, span.end, format!("`{name}` is {value} here but {expected} in struct_info{owner}"))
            .with_help(format!("delete the copy and use {{{{{{ cDefs.{name} }}}}}}")),
    );
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for node in nodes(cx) {
        match node.kind() {
            AstKind::VariableDeclarator(d) => {
                if let Some((v, span)) = d.init.as_ref().and_then(int_literal) {
                    report(cx, out, cx.text(d.id.span()), v, span);
                }
            }
            AstKind::ObjectProperty(p) => {
                if let (Some(name), Some((v, span))) = (p.key.static_name(), int_literal(&p.value)) {
                    report(cx, out, &name, v, span);
                }
            }
            _ => {}
        }
    }
}
