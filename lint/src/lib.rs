//! Lint rules for Emscripten JS library files (`src/lib/*.js`) and for the
//! `-sDIRECT_SOCKETS` patch series. `dsock check` and `dsock explain CODE` use it.
//!
//! Filled in by the lint work (issue "dsock check"); this crate exists from the
//! start so the workspace layout is stable.
