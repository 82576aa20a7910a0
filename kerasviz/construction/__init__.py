"""Watching model construction: source lines, replay, errors explained, the builder."""
