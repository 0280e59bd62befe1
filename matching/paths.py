"""Locations of the data the project ships."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEMO_ESCO_DIR = DATA_DIR / "demo_esco"
VOCABULARY_DIR = DATA_DIR / "vocabulary"
GLOSSARY_DIR = DATA_DIR / "glossary"
