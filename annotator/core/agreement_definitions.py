"""The definitions of the agreement figures, as printed by ``annotator agreement --help``.

Kept apart from :mod:`annotator.core.agreement` (which re-exports them) so that the CLI shows
them without loading numpy.
"""

DEFINITIONS = """\
definitions (every figure can be recomputed from these):

Scope: the documents in which every compared annotator has a set (with --status done, a set
marked done; --docs chooses among the documents). Spans are compared as
(start, end, label), offsets in code points; a set holds each such span once. When labels are
chosen, spans of other labels are ignored and a relation counts only when both ends are kept.
Pairwise figures are given per pair of annotators; "overall" and "per label" give their mean
over the pairs (pairs where a figure is undefined are left out). An undefined figure (0/0, no
units) is null.

span_f1_exact     spans equal in (start, end, label). For a pair A, B:
                  2 |A and B| / (|A| + |B|), counts summed over the documents (micro).
span_f1_overlap   spans with the same label sharing at least one code point, matched one to one
                  greedily: the largest overlap (in code points) first; on a tie, the pair with
                  the closest boundaries (|start difference| + |end difference|), then the pair
                  whose A span comes first by (start, end), then whose B span does (A is the
                  first annotator of the pair in name order); so equal spans always match.
                  2 matches / (|A| + |B|), micro.
kappa_char        Cohen's kappa over characters. Units: the code points of the text that are not
                  whitespace. An annotator's category for a unit is the label of the shortest of
                  their spans covering it (the earliest start on a tie, then the label first in
                  alphabetical order), else O. Pooled over all units of all documents:
                  (p_o - p_e) / (1 - p_e); null when p_e = 1 (one category throughout).
kappa_token       the same over the tokens of the core tokenizer; a token takes the category of
                  its first code point.
relation_f1       relations (said_by, cue, any type) equal in type and in both ends (start, end,
                  label): 2 |A and B| / (|A| + |B|), micro.
fleiss_kappa_char Fleiss' kappa over the character units, all annotators at once (3 or more
                  annotators; null with fewer).
alpha_nominal_char Krippendorff's alpha, nominal, over the character units (3 or more
                  annotators; null with fewer): 1 - (n - 1) sum_{c!=k} o_ck / sum_{c!=k} n_c n_k
                  from the coincidence matrix o.
alpha_unitizing   Krippendorff's unitizing alpha (alpha-u) as DKPro Agreement computes it, on the
                  spans, all annotators at once (given for 2 or more annotators; it is defined
                  for 2). The documents are laid end to end on one continuum, in the order given.
                  A unit inside a gap of another annotator costs its length squared, two
                  overlapping units the squared differences of their starts and of their ends;
                  D_e counts all the unitizations of the continuum. Per label: alpha-u of that
                  label; overall: 1 - mean D_o / mean D_e over the labels with units. One
                  annotator's overlapping spans of one label are merged into their union first.
Per label         span F1 exact/overlap restricted to that label's spans; kappa: "that label"
                  vs. anything else, on the same units and categories; relation_f1: relations
                  whose head span has that label; alpha_unitizing of that label.
against gold      each annotator's exact spans against the gold set, over the documents in scope
                  that have one: precision = |A and G| / |A|, recall = |A and G| / |G|,
                  F1 = 2 |A and G| / (|A| + |G|).
intervals (ci)    95% percentile intervals (2.5th and 97.5th percentiles) of each figure over
                  bootstrap resamples of the documents in scope (drawn with replacement, as many
                  as the documents; numpy's default generator seeded with the seed), resamples
                  where the figure is undefined left out. The same seed gives the same intervals.
"""
