"""aiolab: the asyncio course's helper library."""

from .errors import (
    BlockingCallError,
    BlockingCallWarning,
    RealTimeLimitError,
    VirtualTimeError,
    VirtualTimeLimitError,
)
from .records import TaskRecord
from .timeline import Timeline, plot_side_by_side, record, span, to_thread
from .virtual import run_virtual

__all__ = [
    "BlockingCallError",
    "BlockingCallWarning",
    "RealTimeLimitError",
    "TaskRecord",
    "Timeline",
    "VirtualTimeError",
    "VirtualTimeLimitError",
    "plot_side_by_side",
    "record",
    "run_virtual",
    "span",
    "to_thread",
]
