"""Free text to ESCO concepts: job titles to occupations, sentences and descriptions to skills."""
