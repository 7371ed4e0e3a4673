"""Files to parsed data: discovery, reading, YAML and JSON, limits, the source map.

Knows no cache (`usmctl.check.cache` wraps it).
"""
