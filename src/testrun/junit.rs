//! JUnit XML: written for CI dashboards (`dsock test --junit PATH`), and read back
//! (`dsock test --from results.xml`), including the XML upstream's runner writes with
//! `xmlrunner` when `CI` is set (`out/test-results.xml`).
//!
//! Shape written (the common Jenkins/GitLab subset):
//! `<testsuites name tests failures errors skipped time>` → one `<testsuite name=SUITE …>` per
//! suite → `<testcase classname=SUITE name=NAME time=SECONDS>` with an optional child
//! `<failure message>`, `<error message>` or `<skipped message>` holding the details.

use std::collections::BTreeMap;

use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::{Reader, Writer, XmlVersion};

use super::model::{Counts, Outcome, TestCase, TestRun};

/// Render `run` as JUnit XML (UTF-8, with declaration, two-space indent).
pub fn write(run: &TestRun) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let ev = |w: &mut Writer<Vec<u8>>, e: Event| w.write_event(e).expect("writing to a Vec cannot fail");
    ev(&mut w, Event::Decl(quick_xml::events::BytesDecl::new("1.0", Some("UTF-8"), None)));
    let total = Counts::of(&run.tests);
    let time = |s: f64| format!("{s:.3}");
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "dsock test"));
    push_counts(&mut root, &total);
    root.push_attribute(("time", time(run.tests.iter().map(|t| t.seconds).sum()).as_str()));
    ev(&mut w, Event::Start(root));
    let mut suites: BTreeMap<&str, Vec<&TestCase>> = BTreeMap::new();
    for t in &run.tests {
        suites.entry(t.suite.as_str()).or_default().push(t);
    }
    for (suite, tests) in suites {
        let c = Counts::of(tests.iter().copied());
        let mut s = BytesStart::new("testsuite");
        s.push_attribute(("name", suite));
        push_counts(&mut s, &c);
        s.push_attribute(("time", time(tests.iter().map(|t| t.seconds).sum()).as_str()));
        if let Some(ts) = &run.started_at {
            s.push_attribute(("timestamp", ts.as_str()));
        }
        ev(&mut w, Event::Start(s));
        for t in tests {
            let mut tc = BytesStart::new("testcase");
            tc.push_attribute(("classname", t.suite.as_str()));
            tc.push_attribute(("name", t.name.as_str()));
            tc.push_attribute(("time", time(t.seconds).as_str()));
            let child = match t.outcome {
                Outcome::Passed => None,
                Outcome::Failed => Some("failure"),
                Outcome::Error => Some("error"),
                Outcome::Skipped => Some("skipped"),
            };
            match child {
                None => ev(&mut w, Event::Empty(tc)),
                Some(tag) => {
                    ev(&mut w, Event::Start(tc));
                    let mut c = BytesStart::new(tag);
                    c.push_attribute(("message", t.message.as_deref().unwrap_or("")));
                    match &t.details {
                        Some(d) => {
                            ev(&mut w, Event::Start(c));
                            ev(&mut w, Event::Text(BytesText::new(d)));
                            ev(&mut w, Event::End(BytesEnd::new(tag)));
                        }
                        None => ev(&mut w, Event::Empty(c)),
                    }
                    ev(&mut w, Event::End(BytesEnd::new("testcase")));
                }
            }
        }
        ev(&mut w, Event::End(BytesEnd::new("testsuite")));
    }
    ev(&mut w, Event::End(BytesEnd::new("testsuites")));
    let mut out = String::from_utf8(w.into_inner()).expect("quick-xml writes UTF-8");
    out.push('\n');
    out
}

fn push_counts(e: &mut BytesStart, c: &Counts) {
    e.push_attribute(("tests", c.total.to_string().as_str()));
    e.push_attribute(("failures", c.failed.to_string().as_str()));
    e.push_attribute(("errors", c.error.to_string().as_str()));
    e.push_attribute(("skipped", c.skipped.to_string().as_str()));
}

fn attr(e: &BytesStart, name: &str) -> Result<Option<String>, String> {
    match e.try_get_attribute(name).map_err(|x| x.to_string())? {
        None => Ok(None),
        Some(a) => Ok(Some(a.normalized_value(XmlVersion::Implicit1_0).map_err(|x| x.to_string())?.into_owned())),
    }
}

/// The suite of a JUnit `classname`: its last dotted component
/// (`test_sockets_node.sockets_node` → `sockets_node`).
fn suite_of(classname: &str) -> String {
    classname.rsplit('.').next().unwrap_or(classname).to_string()
}

/// Parse JUnit XML into a [`TestRun`] (tests in document order). Accepts `<testsuites>` or a
/// bare `<testsuite>` root. Errors name the XML problem.
pub fn parse(xml: &str) -> Result<TestRun, String> {
    let mut reader = Reader::from_str(xml);
    let mut tests = Vec::new();
    let mut current: Option<TestCase> = None;
    let mut in_detail = false;
    let mut detail = String::new();
    let mut timestamp = None;
    loop {
        let event = reader.read_event().map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.name().into_inner() {
                    "testsuite" if timestamp.is_none() => timestamp = attr(e, "timestamp")?,
                    "testcase" => {
                        let classname = attr(e, "classname")?.unwrap_or_default();
                        let name = attr(e, "name")?.ok_or("a <testcase> without a name")?;
                        let seconds = attr(e, "time")?.and_then(|t| t.parse::<f64>().ok()).unwrap_or(0.0);
                        let t = TestCase {
                            suite: suite_of(&classname),
                            name,
                            variant: None,
                            outcome: Outcome::Passed,
                            seconds,
                            message: None,
                            details: None,
                        };
                        if empty {
                            tests.push(t);
                        } else {
                            current = Some(t);
                        }
                    }
                    tag @ ("failure" | "error" | "skipped") => {
                        let t = current.as_mut().ok_or("a <failure>/<error>/<skipped> outside <testcase>")?;
                        t.outcome = match tag {
                            "failure" => Outcome::Failed,
                            "error" => Outcome::Error,
                            _ => Outcome::Skipped,
                        };
                        t.message = attr(e, "message")?.filter(|m| !m.is_empty());
                        if !empty {
                            in_detail = true;
                            detail.clear();
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(ref t) if in_detail => {
                detail.push_str(&t.xml_content(XmlVersion::Implicit1_0));
            }
            Event::GeneralRef(ref r) if in_detail => {
                // quick-xml reports entity references (&lt; &#10; …) separately from text.
                let resolved = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(r.as_ref())
                        .ok_or_else(|| format!("unknown entity &{};", r.as_ref()))?
                        .to_string(),
                };
                detail.push_str(&resolved);
            }
            Event::CData(ref c) if in_detail => {
                detail.push_str(c.as_ref());
            }
            Event::End(ref e) => match e.name().into_inner() {
                "failure" | "error" | "skipped" => {
                    if let Some(t) = current.as_mut() {
                        if !detail.trim().is_empty() {
                            t.details = Some(detail.clone());
                        }
                    }
                    in_detail = false;
                }
                "testcase" => {
                    if let Some(t) = current.take() {
                        tests.push(t);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let mut run = TestRun { started_at: timestamp, tests, ..TestRun::default() };
    run.normalize();
    Ok(run)
}
