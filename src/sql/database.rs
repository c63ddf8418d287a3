//! Reading a real database for `migrate lint --database` (placeholder until built).

use super::analysis::SizeLimits;
use super::schema::Schema;

pub fn read_schema(_url: &str, _limits: SizeLimits) -> Result<Schema, String> {
    Err("not built yet".to_string())
}
