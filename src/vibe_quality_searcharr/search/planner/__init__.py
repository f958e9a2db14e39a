"""The pure search planner: (library mirror, queue settings, history, exclusions, *arr activity,
budget, now, seed) -> an ordered, explained plan of *arr search commands.

Everything a caller needs is re-exported here; see docs/planner.md for the rules.
"""

from vibe_quality_searcharr.search.planner.apps import family_of
from vibe_quality_searcharr.search.planner.enums import (
    App,
    CommandKind,
    Family,
    HoldCode,
    Order,
    SkipCode,
    Source,
    Strategy,
)
from vibe_quality_searcharr.search.planner.feedback import apply_plan, record_outcome, record_search
from vibe_quality_searcharr.search.planner.inputs import (
    ArrActivity,
    Budget,
    BudgetLimit,
    CycleState,
    Exclusion,
    Exclusions,
    History,
    Item,
    Library,
    QualityProfile,
    SearchState,
    SeasonInfo,
    SeasonKey,
)
from vibe_quality_searcharr.search.planner.plan import plan
from vibe_quality_searcharr.search.planner.results import (
    BudgetEffect,
    Command,
    Hold,
    Plan,
    PlannedItem,
    Skip,
    Summary,
)
from vibe_quality_searcharr.search.planner.settings import (
    CooldownSettings,
    CustomFilter,
    CycleSettings,
    QueueSettings,
    SeasonPackSettings,
)

__all__ = [
    "App",
    "ArrActivity",
    "Budget",
    "BudgetEffect",
    "BudgetLimit",
    "Command",
    "CommandKind",
    "CooldownSettings",
    "CustomFilter",
    "CycleSettings",
    "CycleState",
    "Exclusion",
    "Exclusions",
    "Family",
    "History",
    "Hold",
    "HoldCode",
    "Item",
    "Library",
    "Order",
    "Plan",
    "PlannedItem",
    "QualityProfile",
    "QueueSettings",
    "SearchState",
    "SeasonInfo",
    "SeasonKey",
    "SeasonPackSettings",
    "Skip",
    "SkipCode",
    "Source",
    "Strategy",
    "Summary",
    "apply_plan",
    "family_of",
    "plan",
    "record_outcome",
    "record_search",
]
