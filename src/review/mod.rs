//! Review output that needs `dsock test`'s results: the PR description. The review engine
//! itself (materialize, range-diff, versions, review points) is [`dsock_core::review`],
//! re-exported here under the same names.

pub use dsock_core::patch;
pub use dsock_core::review::{color, current, materialize, range_diff, review_points, versions, ReviewCommit, SPEC_URL};

pub mod pr_body;
pub mod test_results;
