import sys
from pathlib import Path

# tests/ holds shared helpers (nbcheck); make them importable from every test module.
sys.path.insert(0, str(Path(__file__).resolve().parent))

pytest_plugins = ["pytester"]
