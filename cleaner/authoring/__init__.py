"""Tools for rule authors: `mine` drafts rules from the lines that recur across a corpus."""
