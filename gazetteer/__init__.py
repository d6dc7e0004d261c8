"""Curated gazetteer data, installed as the package data ``geomap.gazetteer_data``."""
