//! Case pages (list, view, create, edit, history, flags).
