"""Forms read → checked results: the rules, per-file results, the check pipeline."""
