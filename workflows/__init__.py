"""zhenggai.workflows: workflow definitions (实施方案) as YAML files, and the built-in ones.

Step 1 reads the part of a definition the engine runs on (identity, channels, roles, units,
tracks, lifecycle) into a :class:`zhenggai.engine.CampaignSetup`. Step 2 grows this into the
full schema, loader and validator.
"""

from ._loader import BUILTINS, builtin_path, load_setup

__all__ = ["BUILTINS", "builtin_path", "load_setup"]
