//! Rolling-update arithmetic, exactly as the Deployment controller does it (DESIGN.md):
//! percentages of maxSurge round up, of maxUnavailable round down; both resolving to 0 means
//! maxUnavailable 1 at run time; maxUnavailable is capped at the replica count.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// A parsed maxSurge/maxUnavailable value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOrPercent {
    Int(i64),
    Percent(i64),
}

impl IntOrPercent {
    /// `Err` with the raw text when the value is neither an integer nor `N%`.
    pub fn parse(value: &IntOrString) -> Result<IntOrPercent, String> {
        match value {
            IntOrString::Int(i) => Ok(IntOrPercent::Int(i64::from(*i))),
            IntOrString::String(text) => text
                .strip_suffix('%')
                .and_then(|n| n.parse::<i64>().ok())
                .map(IntOrPercent::Percent)
                .ok_or_else(|| text.clone()),
        }
    }

    /// The number itself, as the API's validation reads it (`0%` is 0).
    pub fn raw(self) -> i64 {
        match self {
            IntOrPercent::Int(n) | IntOrPercent::Percent(n) => n,
        }
    }

    fn resolve(self, replicas: i64, round_up: bool) -> i64 {
        match self {
            IntOrPercent::Int(n) => n,
            IntOrPercent::Percent(p) => {
                let scaled = p * replicas;
                if round_up {
                    (scaled + 99).div_euclid(100)
                } else {
                    scaled.div_euclid(100)
                }
            }
        }
    }
}

impl std::fmt::Display for IntOrPercent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IntOrPercent::Int(n) => write!(f, "{n}"),
            IntOrPercent::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// The surge and unavailability a Deployment of `replicas` really gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub surge: i64,
    pub unavailable: i64,
}

pub fn resolve(max_surge: IntOrPercent, max_unavailable: IntOrPercent, replicas: i64) -> Resolved {
    let surge = max_surge.resolve(replicas, true);
    let mut unavailable = max_unavailable.resolve(replicas, false);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Resolved {
        surge,
        unavailable: unavailable.min(replicas),
    }
}

pub const DEFAULT_MAX_SURGE: IntOrPercent = IntOrPercent::Percent(25);
pub const DEFAULT_MAX_UNAVAILABLE: IntOrPercent = IntOrPercent::Percent(25);

#[cfg(test)]
mod tests {
    use super::*;
    use IntOrPercent::{Int, Percent};

    #[test]
    fn rounds_like_the_deployment_controller() {
        assert_eq!(
            resolve(Percent(25), Percent(25), 1),
            Resolved {
                surge: 1,
                unavailable: 0
            }
        );
        assert_eq!(
            resolve(Percent(25), Percent(25), 10),
            Resolved {
                surge: 3,
                unavailable: 2
            }
        );
        assert_eq!(
            resolve(Percent(0), Percent(10), 5),
            Resolved {
                surge: 0,
                unavailable: 1
            }
        );
        assert_eq!(
            resolve(Int(0), Percent(100), 3),
            Resolved {
                surge: 0,
                unavailable: 3
            }
        );
        assert_eq!(
            resolve(Int(1), Int(5), 2),
            Resolved {
                surge: 1,
                unavailable: 2
            }
        );
    }

    #[test]
    fn parses_only_integers_and_percentages() {
        assert_eq!(
            IntOrPercent::parse(&IntOrString::String("30%".into())),
            Ok(Percent(30))
        );
        assert_eq!(IntOrPercent::parse(&IntOrString::Int(2)), Ok(Int(2)));
        assert!(IntOrPercent::parse(&IntOrString::String("30".into())).is_err());
        assert!(IntOrPercent::parse(&IntOrString::String("a%".into())).is_err());
    }
}
