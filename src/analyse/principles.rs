//! Guiding principles and constraints (the seed's "when an organization should not be a
//! partner"): statements a proposal must make by a given stage, and partners the community
//! decided not to work with. Each match becomes a problem quoting the community's reason.

use regex::Regex;
use serde::Deserialize;

use super::message::Message;
use super::proposal::{Problem, Proposal};
use super::stages::Stages;

/// As written in the settings (`[principles]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinciplesConfig {
    #[serde(default)]
    pub require: Vec<RequireRule>,
    #[serde(default)]
    pub exclude: Vec<ExcludeRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequireRule {
    pub params: Vec<String>,
    pub from_stage: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExcludeRule {
    /// A regular expression matched against the partner's name (and website).
    pub pattern: String,
    pub reason: String,
}

/// Checked and compiled rules.
#[derive(Debug, Clone, Default)]
pub struct Principles {
    require: Vec<(RequireRule, usize)>,
    exclude: Vec<(Regex, String)>,
}

impl Principles {
    /// Compiles the rules; errors name the rule and what is wrong with it.
    pub fn new(
        config: &PrinciplesConfig,
        stages: &Stages,
        params: &[&str],
    ) -> Result<Self, String> {
        let mut require = Vec::new();
        for (n, rule) in config.require.iter().enumerate() {
            let stage = stages.index_of(&rule.from_stage).ok_or_else(|| {
                format!(
                    "principles.require[{n}]: from_stage `{}` is not a stage",
                    rule.from_stage
                )
            })?;
            if let Some(p) = rule.params.iter().find(|p| !params.contains(&p.as_str())) {
                return Err(format!(
                    "principles.require[{n}]: `{p}` is not a proposal parameter"
                ));
            }
            require.push((rule.clone(), stage));
        }
        let mut exclude = Vec::new();
        for (n, rule) in config.exclude.iter().enumerate() {
            let regex = Regex::new(&rule.pattern).map_err(|e| {
                format!("principles.exclude[{n}]: pattern is not a valid regex: {e}")
            })?;
            exclude.push((regex, rule.reason.clone()));
        }
        Ok(Principles { require, exclude })
    }

    pub fn check(&self, proposal: &mut Proposal, stages: &Stages) {
        let stage = proposal.stage.as_deref().and_then(|s| stages.index_of(s));
        let mut problems = Vec::new();
        for (rule, from) in &self.require {
            if stage.is_none_or(|s| s < *from) {
                continue;
            }
            for param in rule.params.iter().filter(|p| proposal.value(p).is_none()) {
                problems.push(Problem::about(
                    param,
                    Message::new("problem-required-from-stage")
                        .arg(param.as_str())
                        .arg(rule.from_stage.as_str())
                        .arg(rule.reason.as_str()),
                ));
            }
        }
        for field in ["partner", "partner_url"] {
            let Some(value) = proposal.value(field) else {
                continue;
            };
            for (regex, reason) in &self.exclude {
                if regex.is_match(value) {
                    problems.push(Problem::about(
                        field,
                        Message::new("problem-excluded-partner").arg(reason.as_str()),
                    ));
                }
            }
        }
        proposal.problems.extend(problems);
    }
}
