"""Write a :class:`CampaignSetup` back as a definition file that :func:`load_setup` reads into
an equal setup (``load(dump(s)) == s``).

For a host that builds or edits a setup in code and wants the file an author would keep, and
for the property tests. Fields at their default value are left out, as an author would; the
file-format keys (``zhenggai``, ``id``, ``version``) come first. Comments of an original file
are not kept: ``zhenggai definition show`` prints a built-in file as written.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML

from .schema import CampaignSetup

__all__ = ["dump_setup"]

#: The file format version this module writes (the loader's ``_SCHEMA_VERSION``).
SCHEMA_VERSION = 1
#: Setup fields that are named differently in a file.
FILE_NAMES = {"definition_id": "id", "definition_version": "version"}


def dump_setup(setup: CampaignSetup) -> str:
    """The YAML 1.2 text of ``setup`` as a definition file (UTF-8, Chinese as is)."""
    data: dict[str, Any] = {"zhenggai": SCHEMA_VERSION}
    for key, value in setup.model_dump(mode="json", exclude_defaults=True).items():
        data[FILE_NAMES.get(key, key)] = value
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
