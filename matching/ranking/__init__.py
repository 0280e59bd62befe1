"""Germany's rules and the score: what makes a pair eligible, a bridge or blocked, how good it is, and why.

Owns the regulated-professions table (:mod:`.regulation`), the eligibility rules on recognition, work
authorisation and the soft factors (:mod:`.eligibility`, their outcome in :mod:`.assessment`), every reason
and next step in German, English and Ukrainian (:mod:`.reasons`, the one definition of each code), commute
distances (:mod:`.geo`, :mod:`.places`), the weighted score and its explanation (:mod:`.scoring`) and the
assess → score → page pipeline for retrieved pairs (:mod:`.pipeline`). It works on domain objects and the
taxonomy only: it never reads the database or an index. A new rule goes into :class:`.eligibility.EligibilityRules`
with its reason code in :mod:`.reasons`.
"""
