"""The match layer: which lines of a document each line rule can match, from one scan.

`translate` turns a rule's `regex` pattern into a pattern the multi-pattern scanner can
run that matches at least wherever the rule does; `scanner` wraps the scanner library;
`plan` holds the compiled scan of a rule set and hands each rule its candidate lines;
`cache` keeps compiled scans on disk.
"""
