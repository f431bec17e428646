"""Every SQL statement the application runs lives in this package; callers use `store.<function>`."""
from compliance.store.accounts import *  # noqa: F401,F403
from compliance.store.actions import *  # noqa: F401,F403
from compliance.store.assignments import *  # noqa: F401,F403
from compliance.store.audit import *  # noqa: F401,F403
from compliance.store.cycle_returns import *  # noqa: F401,F403
from compliance.store.evidence import *  # noqa: F401,F403
from compliance.store.frameworks import *  # noqa: F401,F403
from compliance.store.jobs import *  # noqa: F401,F403
from compliance.store.matrix import *  # noqa: F401,F403
from compliance.store.membership import *  # noqa: F401,F403
from compliance.store.organisations import *  # noqa: F401,F403
from compliance.store.outbox import *  # noqa: F401,F403
from compliance.store.queries import *  # noqa: F401,F403
from compliance.store.reminders import *  # noqa: F401,F403
from compliance.store.returns import *  # noqa: F401,F403
from compliance.store.submissions import *  # noqa: F401,F403
from compliance.store.verifications import *  # noqa: F401,F403
