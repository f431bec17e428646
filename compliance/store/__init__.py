"""Every SQL statement the application runs lives in this package; callers use `store.<function>`."""
from .accounts import *  # noqa: F401,F403
from .audit import *  # noqa: F401,F403
from .evidence import *  # noqa: F401,F403
from .frameworks import *  # noqa: F401,F403
from .organisations import *  # noqa: F401,F403
from .returns import *  # noqa: F401,F403
from .submissions import *  # noqa: F401,F403
from .matrix import *  # noqa: F401,F403
from .jobs import *  # noqa: F401,F403
from .verifications import *  # noqa: F401,F403
