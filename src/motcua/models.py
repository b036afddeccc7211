"""Every domain's tables, imported together so that migrations and tests see the whole schema."""

import motcua.calendar.models
import motcua.catalog.models  # noqa: F401
