"""The definitions of the agreement figures, as printed by ``annotator agreement --help``.

Kept apart from :mod:`annotator.core.agreement` so that the CLI shows them without loading numpy.
"""

DEFINITIONS = """definitions (every figure can be recomputed from these):
  scope        the documents in which every compared annotator has a set (with --status done,
               a done set); spans of other labels are left out with --labels.
  F1 exact     spans equal in (start, end, label); per pair of annotators
               2·|A∩B| / (|A|+|B|), counts summed over the documents in scope (micro).
  F1 overlap   spans with the same label that share a character, matched one to one,
               greedily by largest overlap (ties: earliest span of A, then of B); then
               2·matches / (|A|+|B|), micro.
  κ char       Cohen's kappa; units: the code points of the texts that are not whitespace;
               an annotator's category for a unit is the label of the shortest of their spans
               covering it (earliest start on a tie), else O; pooled over every unit of every
               document in scope.
  κ token      the same over the tokens of the core tokenizer; a token takes the category of
               its first code point.
  Fleiss κ     (three or more annotators) Fleiss' kappa on the character units.
  α nominal    (three or more annotators) Krippendorff's alpha, nominal, on the character units.
  αu           Krippendorff's unitizing alpha as DKPro Agreement and INCEpTION compute it, per
               label and over all labels, the documents laid end to end on one continuum.
  relation F1  said_by and cue relations whose type and both ends (start, end, label) match;
               2·|A∩B| / (|A|+|B|), micro.
  per label    F1 on that label's spans; kappa of that label against everything else; αu of
               that label. overall: the mean over pairs of annotators of each pairwise figure.
  against gold each annotator's precision, recall and F1 (exact spans) against the gold set,
               over the documents in scope that have one.
  --ci         a 95% percentile interval for each figure by bootstrap over documents
               (1,000 resamples, seeded by --seed).
"""
