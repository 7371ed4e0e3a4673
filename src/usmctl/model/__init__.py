"""Parsed data to one architecture: entities, USM facts, the catalogue, the supply-chain graph."""
