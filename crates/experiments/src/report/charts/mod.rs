//! Each kind of claim figure ([`Chart`]), drawn from the runs a verdict or an exhibit names.

use super::words::what_differs;
use super::*;
use crate::catalog::ids::RunId;
use crate::verdict::Chart;

mod computed;
mod runs;

use computed::{constraints, filters, init_histograms, sigmoid, surface_figure};
use runs::{comparison, gaps, sweep, weight_histograms, weight_norms};

/// What a figure needs beyond the suite's runs.
pub(super) struct Context<'a> {
    pub suite: &'a SuiteResult,
    pub computed: &'a Computed,
    pub init_rows: &'a [InitRow],
    pub filters_before: Option<&'a [Vec<f32>]>,
}

/// `chart` over `runs`, saved as `name` (with a suffix per figure when it draws several).
pub(super) fn draw(
    chart: Chart,
    name: &str,
    runs: &[RunId],
    cx: &Context<'_>,
) -> Result<Vec<Figure>> {
    let suite = cx.suite;
    let ids: Vec<&str> = runs
        .iter()
        .map(|r| r.as_str())
        .filter(|id| suite.get(id).is_some())
        .collect();
    let one = |f: Result<Option<Figure>>| f.map(|f| f.into_iter().collect());
    let file = format!("{name}.svg");
    match chart {
        Chart::Runs => one(comparison(&file, suite, &ids, false)),
        Chart::TrainAndTest => one(comparison(&file, suite, &ids, true)),
        Chart::Gap => one(gaps(&file, suite, &ids)),
        Chart::Gradients => ids
            .iter()
            .filter_map(|id| suite.get(id).zip(suite.spec(id)))
            .map(|(r, spec)| {
                let title = format!("{}: RMS gradient per weight, each layer", spec.title);
                figures::gradient_figure(
                    &title,
                    format!("{name}-{}.svg", figures::file_id(&spec.id)),
                    spec.iterations,
                    r,
                )
            })
            .filter_map(Result::transpose)
            .collect(),
        Chart::WeightNorms => one(weight_norms(&file, suite, &ids)),
        Chart::WeightHistograms => one(weight_histograms(&file, suite, &ids)),
        Chart::Sweep => one(sweep(&file, suite)),
        Chart::Paths(surface) => one(surface_figure(&file, cx.computed, surface)),
        Chart::Constraints => one(constraints(&file, cx.computed).map(Some)),
        Chart::SigmoidSlope => one(sigmoid(&file, cx.computed).map(Some)),
        Chart::InitHistograms(activation) => one(init_histograms(&file, cx.init_rows, activation)),
        Chart::Filters => one(filters(&file, cx, ids.first().copied())),
        Chart::None => Ok(Vec::new()),
    }
}

/// The legend labels and the shared part of the runs' titles.
fn labels(suite: &SuiteResult, ids: &[&str]) -> (String, Vec<String>) {
    let titles: Vec<&str> = ids
        .iter()
        .map(|id| suite.spec(id).map_or(*id, |s| s.title.as_str()))
        .collect();
    what_differs(&titles)
}
