//! The built-in rules (those of `config/default.toml` and `config/stages.toml`, with English
//! signature names), owned in one place, for reading pages without a wiki or a config file:
//! unit tests, the analysis benchmark and the fuzzer. The bot itself builds its rules from the
//! settings (`apply::reconcile`).

use std::collections::HashMap;

use super::page::VoteRules;
use super::principles::Principles;
use super::proposal::ProposalRules;
use super::stages::Stages;
use super::survey::SurveyRules;
use super::tally::signature::SiteNames;
use super::tally::{CountRules, LineRules, SignatureRules};

pub struct BuiltinRules {
    pub stages: Stages,
    pub principles: Principles,
    pub aliases: HashMap<String, HashMap<String, String>>,
    pub lines: LineRules,
    pub signatures: SignatureRules,
    pub survey: SurveyRules,
    pub count: CountRules,
}

impl Default for BuiltinRules {
    fn default() -> Self {
        BuiltinRules {
            stages: Stages::builtin(),
            principles: Principles::default(),
            aliases: HashMap::new(),
            lines: LineRules::default(),
            signatures: SignatureRules::new(&SiteNames::english()),
            survey: SurveyRules::default(),
            count: CountRules::default(),
        }
    }
}

impl BuiltinRules {
    /// How `{{Partnership proposal}}` (no redirects) is read.
    pub fn proposal_rules(&self) -> ProposalRules<'_> {
        ProposalRules {
            template_names: ["Partnership proposal".to_string()].into(),
            aliases: &self.aliases,
            stages: &self.stages,
            principles: &self.principles,
        }
    }

    /// How votes and survey responses are read.
    pub fn vote_rules(&self) -> VoteRules<'_> {
        VoteRules {
            lines: &self.lines,
            signatures: &self.signatures,
            survey: &self.survey,
        }
    }
}
