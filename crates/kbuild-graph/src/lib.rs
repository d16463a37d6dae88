//! Kbuild evaluation: Makefiles in, directory/object/module graph with conditions out.
//! (Being written; see issue 6.)
