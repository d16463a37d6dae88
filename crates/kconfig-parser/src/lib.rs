//! Kconfig parser: text in, a model of menus, symbols and properties plus diagnostics out.
//! (Being written; see issue 4.)
