//! The partnership process as data (`config/stages.toml`): stages in order, their checklist
//! items and the evidence that ticks each item.

use serde::Deserialize;

/// The built-in stage definitions.
pub const DEFAULT_STAGES_TOML: &str = include_str!("../../config/stages.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stages {
    #[serde(rename = "stage")]
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub id: String,
    pub label: String,
    /// The process step of the seed page this stage corresponds to.
    pub step: String,
    #[serde(default, rename = "item")]
    pub items: Vec<ItemDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDef {
    pub id: String,
    pub label: String,
    pub evidence: Evidence,
}

/// What ticks a checklist item. A small closed vocabulary, so every tick is explainable.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Evidence {
    ParamFilled(String),
    ParamEquals {
        param: String,
        value: String,
    },
    Section(String),
    PageExists(String),
    SupportSecured,
    /// The evaluation survey meets the approval target (README "Evaluation survey").
    SurveyTargetsMet,
    Manual,
}

impl Stages {
    /// The built-in definitions (`config/stages.toml`), checked by the tests below.
    pub fn builtin() -> Self {
        Self::parse(DEFAULT_STAGES_TOML, &super::proposal::param_names())
            .expect("the built-in config/stages.toml is valid")
    }

    /// Parses and checks stage definitions; `params` are the proposal template's parameters.
    pub fn parse(toml_text: &str, params: &[&str]) -> Result<Self, String> {
        let stages: Stages = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        if stages.stages.is_empty() {
            return Err("no [[stage]] defined".into());
        }
        let mut ids = std::collections::HashSet::new();
        for stage in &stages.stages {
            if !ids.insert(stage.id.as_str()) {
                return Err(format!("stage id `{}` is used twice", stage.id));
            }
            for item in &stage.items {
                if !ids.insert(item.id.as_str()) {
                    return Err(format!("id `{}` is used twice", item.id));
                }
                if item.id.contains([',', ' ', '|']) {
                    return Err(format!(
                        "item id `{}` may not contain spaces, commas or |",
                        item.id
                    ));
                }
                let param = match &item.evidence {
                    Evidence::ParamFilled(p) | Evidence::PageExists(p) => Some(p),
                    Evidence::ParamEquals { param, .. } => Some(param),
                    _ => None,
                };
                if let Some(p) = param.filter(|p| !params.contains(&p.as_str())) {
                    return Err(format!(
                        "item `{}` refers to `{p}`, which is not a parameter of the proposal template",
                        item.id
                    ));
                }
            }
        }
        Ok(stages)
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.stages.iter().map(|s| s.id.as_str())
    }

    pub fn is_item(&self, id: &str) -> bool {
        self.stages
            .iter()
            .flat_map(|s| &s.items)
            .any(|i| i.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAMS: &[&str] = &[
        "goal",
        "partner",
        "mission",
        "interests",
        "model",
        "capacity",
        "community",
        "outcome_targets",
        "agreement",
        "start",
        "status",
    ];

    #[test]
    fn built_in_stages_parse_in_process_order() {
        let stages = Stages::parse(DEFAULT_STAGES_TOML, PARAMS).unwrap();
        let ids: Vec<_> = stages.ids().collect();
        assert_eq!(
            ids,
            [
                "selection",
                "involvement",
                "planning",
                "agreement",
                "implementation",
                "evaluation",
                "communication",
                "iteration",
                "closed"
            ]
        );
        let planning = &stages.stages[2];
        assert!(
            planning
                .items
                .iter()
                .any(|i| i.evidence == Evidence::SupportSecured)
        );
        assert!(
            planning
                .items
                .iter()
                .any(|i| i.evidence == Evidence::Section("Plan".into()))
        );
    }

    #[test]
    fn bad_definitions_are_explained() {
        let dup =
            "[[stage]]\nid='a'\nlabel='A'\nstep='s'\n[[stage]]\nid='a'\nlabel='B'\nstep='s'\n";
        assert!(
            Stages::parse(dup, PARAMS)
                .unwrap_err()
                .contains("used twice")
        );
        let unknown = "[[stage]]\nid='a'\nlabel='A'\nstep='s'\n[[stage.item]]\nid='x'\nlabel='X'\nevidence={param_filled='nope'}\n";
        assert!(
            Stages::parse(unknown, PARAMS)
                .unwrap_err()
                .contains("`nope`")
        );
        let bad_rule = "[[stage]]\nid='a'\nlabel='A'\nstep='s'\n[[stage.item]]\nid='x'\nlabel='X'\nevidence='telepathy'\n";
        assert!(Stages::parse(bad_rule, PARAMS).is_err());
    }
}
