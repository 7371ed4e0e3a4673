"""A run: selection, the engine, suppressions, baseline, custom rules, caches, settings."""
