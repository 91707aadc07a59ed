//! The `[index]` section: where learning patterns, case studies and sign-ups are found, and
//! where each list is written.

use serde::Deserialize;

use super::{ConfigError, Layers, invalid};
use crate::analyse::index::PatternFields;
use crate::analyse::proposal::normalize_template_name;
use crate::analyse::stages::Stages;

#[derive(Deserialize)]
pub(super) struct RawIndex {
    pattern_categories: Vec<String>,
    pattern_category_depth: u32,
    pattern_prefixes: Vec<String>,
    pattern_infobox: Vec<String>,
    pattern_problem_param: String,
    pattern_solution_param: String,
    pattern_creator_param: String,
    pattern_endorsement_sections: Vec<String>,
    case_study_from_stage: String,
    case_study_statuses: Vec<String>,
    case_study_template: String,
    signup_page: String,
    signup_section: String,
    learning_patterns_target: String,
    case_studies_target: String,
    proposals_target: String,
    communities_target: String,
}

#[derive(Debug, Clone)]
pub struct IndexSettings {
    /// Category names without the namespace.
    pub pattern_categories: Vec<String>,
    pub pattern_category_depth: u32,
    pub pattern_prefixes: Vec<String>,
    pub patterns: PatternFields,
    /// Index of the first stage whose proposals are case studies.
    pub case_study_from_stage: usize,
    /// Lower-case statuses that make a proposal a case study.
    pub case_study_statuses: Vec<String>,
    /// Normalised template name, without namespace.
    pub case_study_template: String,
    pub signup: Option<(String, String)>,
    pub targets: Targets,
}

/// Where each list goes; None: not written.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    pub learning_patterns: Option<Target>,
    pub case_studies: Option<Target>,
    pub proposals: Option<Target>,
    pub communities: Option<Target>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub page: String,
    /// The section heading; None: the end of the page.
    pub section: Option<String>,
}

pub(super) fn validate_index(
    raw: RawIndex,
    stages: &Stages,
    layers: &Layers,
) -> Result<IndexSettings, ConfigError> {
    let names = |key: &str, list: &[String]| -> Result<Vec<String>, ConfigError> {
        list.iter()
            .map(|n| {
                normalize_template_name(n)
                    .ok_or_else(|| invalid(layers, key, format!("template names, not {n:?}")))
            })
            .collect()
    };
    let case_study_from_stage = stages
        .index_of(raw.case_study_from_stage.trim())
        .ok_or_else(|| {
            let ids: Vec<&str> = stages.ids().collect();
            invalid(
                layers,
                "index.case_study_from_stage",
                format!("one of the stages ({})", ids.join(", ")),
            )
        })?;
    let case_study_template = names(
        "index.case_study_template",
        std::slice::from_ref(&raw.case_study_template),
    )?
    .remove(0);
    let param = |key: &str, value: &str| -> Result<String, ConfigError> {
        let v = value.trim();
        if v.is_empty() || v.contains(['|', '=', '{', '}']) {
            return Err(invalid(layers, key, "a template parameter name"));
        }
        Ok(v.to_owned())
    };
    let signup = match raw.signup_page.trim() {
        "" => None,
        page => {
            let section = raw.signup_section.trim();
            if section.is_empty() {
                return Err(invalid(
                    layers,
                    "index.signup_section",
                    "the heading of the sign-up section (the page is set)",
                ));
            }
            Some((page.to_owned(), section.to_owned()))
        }
    };
    let target = |key: &str, value: &str| -> Result<Option<Target>, ConfigError> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        let (page, section) = match value.split_once('#') {
            Some((p, s)) => (
                p.trim(),
                Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            ),
            None => (value, None),
        };
        if page.is_empty() || page.contains(['[', ']', '{', '}', '|', '<', '>']) {
            return Err(invalid(
                layers,
                key,
                format!("\"Page title#Section heading\" or \"Page title\", got {value:?}"),
            ));
        }
        Ok(Some(Target {
            page: page.to_owned(),
            section,
        }))
    };
    Ok(IndexSettings {
        pattern_categories: super::category_names(&raw.pattern_categories),
        pattern_category_depth: raw.pattern_category_depth,
        pattern_prefixes: raw
            .pattern_prefixes
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .collect(),
        patterns: PatternFields {
            infobox: names("index.pattern_infobox", &raw.pattern_infobox)?,
            problem: param("index.pattern_problem_param", &raw.pattern_problem_param)?,
            solution: param("index.pattern_solution_param", &raw.pattern_solution_param)?,
            creator: param("index.pattern_creator_param", &raw.pattern_creator_param)?,
            endorsement_sections: raw.pattern_endorsement_sections,
        },
        case_study_from_stage,
        case_study_statuses: raw
            .case_study_statuses
            .iter()
            .map(|s| s.trim().to_lowercase())
            .collect(),
        case_study_template,
        signup,
        targets: Targets {
            learning_patterns: target(
                "index.learning_patterns_target",
                &raw.learning_patterns_target,
            )?,
            case_studies: target("index.case_studies_target", &raw.case_studies_target)?,
            proposals: target("index.proposals_target", &raw.proposals_target)?,
            communities: target("index.communities_target", &raw.communities_target)?,
        },
    })
}
