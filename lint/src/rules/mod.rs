//! One file per rule. Each declares its doc and `META` with
//! [`declare_rule!`](crate::declare_rule) and, for file rules, a
//! `check(&Context, &mut Vec<Diagnostic>)`. The table is in [`crate::registry`].

pub mod ds000_parse_error;
pub mod ds001_numeric_literal;
pub mod ds002_constant_mismatch;
pub mod ds003_unknown_cdefs;
pub mod ds004_repeated_deps;
pub mod ds005_private_fd;
pub mod ds006_swallowed_error;
pub mod ds007_eof_vs_error;
pub mod ds008_socket_options;
pub mod ds009_zero_local_port;
pub mod ds010_dns_query_type_bound;
pub mod ds011_close_while_locked;
pub mod ds012_shared_heap_write;
pub mod ds013_udp_reopen;
pub mod ds014_syscall_override;
pub mod ds015_settings_backticks;
pub mod ds101_series_applies;
pub mod ds102_export_drift;
pub mod ds103_commit_message;
pub mod ds104_overlay_ownership;
pub mod ds105_whitespace;
pub mod ds106_struct_info_generated;
