"""Code tables (catalogues) every domain shows: lookups in display order and labels in the reader's language."""
