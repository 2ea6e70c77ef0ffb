"""Cross-cutting pieces: permissions, i18n, audit log, mail, errors, layout."""
