//! Store engines: the kinds of shop Storefleet can provision.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::RuleViolation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    #[serde(rename = "woocommerce")]
    WooCommerce,
    Medusa,
}

impl Engine {
    pub const ALL: [Engine; 2] = [Engine::WooCommerce, Engine::Medusa];

    pub fn as_str(self) -> &'static str {
        match self {
            Engine::WooCommerce => "woocommerce",
            Engine::Medusa => "medusa",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Engine::WooCommerce => "WooCommerce",
            Engine::Medusa => "Medusa",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Engine {
    type Err = RuleViolation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Engine::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| RuleViolation::new(format!("unknown engine {s:?}")))
    }
}
