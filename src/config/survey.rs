//! The `[survey]` section: where a proposal's evaluation survey is read, and what meets the
//! outcome targets.

use serde::Deserialize;

use super::{ConfigError, Layers, invalid};
use crate::analyse::proposal::normalize_template_name;
use crate::analyse::stages::Stages;
use crate::analyse::survey::SurveyRules;

#[derive(Deserialize)]
pub(super) struct RawSurvey {
    sections: Vec<String>,
    response_template: String,
    from_stage: String,
    approval_target: f64,
    min_responses: usize,
}

pub(super) fn validate_survey(
    raw: RawSurvey,
    stages: &Stages,
    layers: &Layers,
) -> Result<SurveyRules, ConfigError> {
    let from_stage = raw.from_stage.trim().to_owned();
    if stages.index_of(&from_stage).is_none() {
        let ids: Vec<&str> = stages.ids().collect();
        return Err(invalid(
            layers,
            "survey.from_stage",
            format!("one of the stage ids: {}", ids.join(", ")),
        ));
    }
    if !(0.0..=100.0).contains(&raw.approval_target) {
        return Err(invalid(
            layers,
            "survey.approval_target",
            "a percentage from 0 to 100",
        ));
    }
    let response_template = normalize_template_name(&raw.response_template).ok_or_else(|| {
        invalid(
            layers,
            "survey.response_template",
            "a template name such as \"Partnership survey response\"",
        )
    })?;
    let section_titles: Vec<String> = raw
        .sections
        .iter()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    if section_titles.is_empty() {
        return Err(invalid(
            layers,
            "survey.sections",
            "at least one section heading, such as \"Evaluation survey\"",
        ));
    }
    Ok(SurveyRules {
        section_titles,
        response_template,
        from_stage,
        approval_target: raw.approval_target,
        min_responses: raw.min_responses,
    })
}
