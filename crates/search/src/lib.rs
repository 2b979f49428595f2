//! The full-text index over people and organisations, fed from the change log and rebuildable
//! at any time. Built with the people registry (issue 5).
