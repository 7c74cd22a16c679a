"""zhenggai.engine: the workflow engine for rectification campaigns (整改专项行动).

The public API is exactly what ``__all__`` lists (pinned by tests/test_public_api.py)::

    from zhenggai.engine import Engine, Actor, VirtualClock
    engine = Engine("zhenggai.db", clock=VirtualClock())
"""

from .audit import AuditReport
from .clock import SystemClock, VirtualClock
from .errors import (
    CampaignNotFound,
    ConflictError,
    DefinitionError,
    GuardFailedError,
    InvalidInputError,
    ItemNotFound,
    MeasureNotFound,
    NotFoundError,
    PermissionDeniedError,
    StorageError,
    TrackNotFound,
    TransitionNotAllowedError,
    UnitNotFound,
    ZhenggaiError,
)
from .lifecycle import EFFECTS, GUARDS, OPERATIONS
from .ports import Clock
from .service import Engine
from .spec import (
    CampaignSetup,
    ContactSpec,
    LifecycleSpec,
    NotifySpec,
    RoleSpec,
    StateSpec,
    TrackSpec,
    TransitionSpec,
    UnitSpec,
)
from .views import (
    Actor,
    CampaignView,
    EventView,
    ItemView,
    LedgerRow,
    MeasureView,
    OutboxView,
    Reporter,
    ReporterView,
)

__all__ = [
    "EFFECTS",
    "GUARDS",
    "OPERATIONS",
    "Actor",
    "AuditReport",
    "CampaignNotFound",
    "CampaignSetup",
    "CampaignView",
    "Clock",
    "ConflictError",
    "ContactSpec",
    "DefinitionError",
    "Engine",
    "EventView",
    "GuardFailedError",
    "InvalidInputError",
    "ItemNotFound",
    "ItemView",
    "LedgerRow",
    "LifecycleSpec",
    "MeasureNotFound",
    "MeasureView",
    "NotFoundError",
    "NotifySpec",
    "OutboxView",
    "PermissionDeniedError",
    "Reporter",
    "ReporterView",
    "RoleSpec",
    "StateSpec",
    "StorageError",
    "SystemClock",
    "TrackNotFound",
    "TrackSpec",
    "TransitionNotAllowedError",
    "TransitionSpec",
    "UnitNotFound",
    "UnitSpec",
    "VirtualClock",
    "ZhenggaiError",
]
