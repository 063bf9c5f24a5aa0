//! `report.html`: the Markdown rendered by pulldown-cmark (tables, links to the claims'
//! anchors, inline code all as CommonMark says), with every figure's SVG inlined so the page
//! reads offline.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html::push_html};

use super::*;

/// The page's look: figures as wide as the text (two to a row in the runs appendix), tables
/// that scroll sideways on a narrow screen, no script.
const STYLE: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45}table{border-collapse:collapse;margin:1em 0;font-size:0.9em;display:block;overflow-x:auto}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}code{background:#f5f5f5;padding:0 3px}figure{margin:1em 0}figure p{margin:0.3em 0}figure em{font-style:normal;color:#333;font-size:0.95em}figure.claim svg{max-width:100%;height:auto}figure.run{display:inline-block;width:49%;vertical-align:top;margin:0.5em 0}figure.run svg{width:100%;height:auto}details{margin:1em 0;padding:0.3em 0.8em;border:1px solid #ddd;border-radius:4px}summary{cursor:pointer;font-weight:bold}h4{margin-top:2.2em}";

pub(super) fn html(md: &str, figures: &[Figure]) -> String {
    let mut events = Vec::new();
    let mut in_image = false;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                in_image = true;
                let file = dest_url.strip_prefix("figures/").unwrap_or(&dest_url);
                if let Some(f) = figures.iter().find(|f| f.file == file) {
                    let svg = f.svg.find("<svg").map_or(f.svg.as_str(), |i| &f.svg[i..]);
                    events.push(Event::InlineHtml(CowStr::from(format!(
                        "<span class=\"figure\">{svg}</span>"
                    ))));
                }
            }
            // The alt text is for the Markdown reader; the SVG carries its own title.
            Event::End(TagEnd::Image) => in_image = false,
            _ if in_image => {}
            other => events.push(other),
        }
    }
    let mut body = String::new();
    push_html(&mut body, events.into_iter());
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>nabla experiments report</title>\n<style>{STYLE}</style></head>\n<body>\n{body}</body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_tables_links_and_inlines_figures() {
        let figures = [Figure {
            file: "a.svg".into(),
            svg: "<?xml version=\"1.0\"?><svg id=\"x\"></svg>".into(),
            axes: Vec::new(),
        }];
        let md = "# T\n\n| a | b |\n|---|---|\n| [x](#claim-x) | `c` |\n\n![alt text](figures/a.svg)\n\n<a id=\"claim-x\"></a>\n";
        let page = html(md, &figures);
        assert!(page.contains("<table>"), "{page}");
        assert!(page.contains("<a href=\"#claim-x\">x</a>"), "{page}");
        assert!(page.contains("<code>c</code>"));
        assert!(page.contains("<svg id=\"x\"></svg>") && !page.contains("<?xml"));
        assert!(!page.contains("alt text"));
        assert!(page.contains("<a id=\"claim-x\"></a>"));
    }
}
