//! `report.html`: the Markdown with its figures inlined, readable offline.

use std::fmt::Write as _;

use super::*;

pub(super) fn html(md: &str, figures: &[Figure]) -> String {
    let mut body = String::new();
    let mut in_table = false;
    let mut in_list = false;
    for line in md.lines() {
        let t = line.trim();
        if t.starts_with('|') {
            if t.starts_with("|---") {
                continue;
            }
            let cells: Vec<String> = t
                .trim_matches('|')
                .split(" | ")
                .map(|c| inline(c.trim()))
                .collect();
            if !in_table {
                body.push_str("<table>\n<tr>");
                cells.iter().for_each(|c| {
                    let _ = write!(body, "<th>{c}</th>");
                });
                body.push_str("</tr>\n");
                in_table = true;
            } else {
                body.push_str("<tr>");
                cells.iter().for_each(|c| {
                    let _ = write!(body, "<td>{c}</td>");
                });
                body.push_str("</tr>\n");
            }
            continue;
        }
        if in_table {
            body.push_str("</table>\n");
            in_table = false;
        }
        if let Some(item) = t.strip_prefix("- ") {
            if !in_list {
                body.push_str("<ul>\n");
                in_list = true;
            }
            let _ = writeln!(body, "<li>{}</li>", inline(item));
            continue;
        }
        if in_list {
            body.push_str("</ul>\n");
            in_list = false;
        }
        if let Some(rest) = t.strip_prefix("![") {
            if let Some(file) = rest
                .split("](figures/")
                .nth(1)
                .map(|f| f.trim_end_matches(')'))
            {
                if let Some(f) = figures.iter().find(|f| f.file == file) {
                    let svg = f.svg.find("<svg").map_or(f.svg.as_str(), |i| &f.svg[i..]);
                    let _ = writeln!(body, "<figure>{svg}</figure>");
                }
            }
        } else if let Some(h) = t.strip_prefix("### ") {
            let _ = writeln!(body, "<h3>{}</h3>", inline(h));
        } else if let Some(h) = t.strip_prefix("## ") {
            let _ = writeln!(body, "<h2>{}</h2>", inline(h));
        } else if let Some(h) = t.strip_prefix("# ") {
            let _ = writeln!(body, "<h1>{}</h1>", inline(h));
        } else if !t.is_empty() {
            let _ = writeln!(body, "<p>{}</p>", inline(t));
        }
    }
    if in_table {
        body.push_str("</table>\n");
    }
    if in_list {
        body.push_str("</ul>\n");
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>nabla experiments report</title>\n<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.4}}table{{border-collapse:collapse;margin:1em 0;font-size:0.9em}}td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left}}th{{background:#f3f3f3}}figure{{display:inline-block;margin:4px}}code{{background:#f5f5f5;padding:0 3px}}</style></head>\n<body>\n{body}</body></html>\n"
    )
}

/// Escapes HTML and turns `code` and **bold** spans into tags.
fn inline(s: &str) -> String {
    let escaped = s
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let mut out = String::new();
    for (k, part) in escaped.split('`').enumerate() {
        if k % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            for (j, p) in part.split("**").enumerate() {
                if j % 2 == 1 {
                    let _ = write!(out, "<b>{p}</b>");
                } else {
                    out.push_str(p);
                }
            }
        }
    }
    out
}
