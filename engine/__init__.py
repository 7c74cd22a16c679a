"""zhenggai.engine: the workflow engine for rectification campaigns (整改专项行动).

The public API is exactly what ``__all__`` lists (pinned by tests/test_public_api.py)::

    from zhenggai.engine import Engine, Actor, VirtualClock
    engine = Engine("zhenggai.db", clock=VirtualClock())

Names are imported on first use (PEP 562), so a tool that needs only the errors or the
lifecycle checks (``zhenggai check``, ``zhenggai --help``) does not pay for SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

if TYPE_CHECKING:
    from zhenggai.workflows.schema import (
        CampaignSetup,
        ContactSpec,
        LifecycleSpec,
        NotifySpec,
        PhaseSpec,
        RoleSpec,
        StateSpec,
        TrackSpec,
        TransitionSpec,
        UnitSpec,
    )

    from .audit import AuditReport
    from .clock import SystemClock, VirtualClock
    from .errors import (
        CalendarError,
        CampaignNotFound,
        ConfigError,
        ConflictError,
        DaemonRunningError,
        DefinitionError,
        DeliveryError,
        DutyNotFound,
        GuardFailedError,
        InvalidInputError,
        ItemNotFound,
        MeasureNotFound,
        MessageNotFound,
        NotFoundError,
        PermissionDeniedError,
        StorageError,
        TrackNotFound,
        TransitionNotAllowedError,
        UnitNotFound,
        ZhenggaiError,
    )
    from .lifecycle import EFFECTS, GUARDS, OPERATIONS
    from .ports import Calendar, Channel, Clock, OutgoingMessage
    from .service import Engine
    from .views import (
        Actor,
        CampaignView,
        DutyView,
        EventView,
        HeartbeatView,
        ItemView,
        LedgerRow,
        MeasureView,
        OutboxView,
        RecomputeView,
        Reporter,
        ReporterView,
        StatusView,
    )

#: Where each public name lives.
_EXPORTS: dict[str, str] = {
    "Actor": ".views",
    "AuditReport": ".audit",
    "Calendar": ".ports",
    "Channel": ".ports",
    "CalendarError": ".errors",
    "CampaignNotFound": ".errors",
    "CampaignSetup": "zhenggai.workflows.schema",
    "CampaignView": ".views",
    "ConfigError": ".errors",
    "Clock": ".ports",
    "ConflictError": ".errors",
    "ContactSpec": "zhenggai.workflows.schema",
    "DaemonRunningError": ".errors",
    "DeliveryError": ".errors",
    "DefinitionError": ".errors",
    "DutyNotFound": ".errors",
    "DutyView": ".views",
    "EFFECTS": ".lifecycle",
    "Engine": ".service",
    "EventView": ".views",
    "GUARDS": ".lifecycle",
    "GuardFailedError": ".errors",
    "HeartbeatView": ".views",
    "InvalidInputError": ".errors",
    "ItemNotFound": ".errors",
    "ItemView": ".views",
    "LedgerRow": ".views",
    "LifecycleSpec": "zhenggai.workflows.schema",
    "MeasureNotFound": ".errors",
    "MessageNotFound": ".errors",
    "MeasureView": ".views",
    "NotFoundError": ".errors",
    "NotifySpec": "zhenggai.workflows.schema",
    "OPERATIONS": ".lifecycle",
    "OutboxView": ".views",
    "OutgoingMessage": ".ports",
    "PermissionDeniedError": ".errors",
    "PhaseSpec": "zhenggai.workflows.schema",
    "Reporter": ".views",
    "RecomputeView": ".views",
    "ReporterView": ".views",
    "RoleSpec": "zhenggai.workflows.schema",
    "StateSpec": "zhenggai.workflows.schema",
    "StatusView": ".views",
    "StorageError": ".errors",
    "SystemClock": ".clock",
    "TrackNotFound": ".errors",
    "TrackSpec": "zhenggai.workflows.schema",
    "TransitionNotAllowedError": ".errors",
    "TransitionSpec": "zhenggai.workflows.schema",
    "UnitNotFound": ".errors",
    "UnitSpec": "zhenggai.workflows.schema",
    "VirtualClock": ".clock",
    "ZhenggaiError": ".errors",
}


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)


__all__ = [
    "EFFECTS",
    "GUARDS",
    "OPERATIONS",
    "Actor",
    "AuditReport",
    "Calendar",
    "CalendarError",
    "CampaignNotFound",
    "CampaignSetup",
    "CampaignView",
    "Channel",
    "Clock",
    "ConfigError",
    "ConflictError",
    "ContactSpec",
    "DaemonRunningError",
    "DefinitionError",
    "DeliveryError",
    "DutyNotFound",
    "DutyView",
    "Engine",
    "EventView",
    "GuardFailedError",
    "HeartbeatView",
    "InvalidInputError",
    "ItemNotFound",
    "ItemView",
    "LedgerRow",
    "LifecycleSpec",
    "MeasureNotFound",
    "MeasureView",
    "MessageNotFound",
    "NotFoundError",
    "NotifySpec",
    "OutboxView",
    "OutgoingMessage",
    "PermissionDeniedError",
    "PhaseSpec",
    "RecomputeView",
    "Reporter",
    "ReporterView",
    "RoleSpec",
    "StateSpec",
    "StatusView",
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
