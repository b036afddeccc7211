"""Every domain's tables, imported together so that migrations and tests see the whole schema."""

import motcua.accounts.models
import motcua.audit.models
import motcua.calendar.models
import motcua.catalog.models
import motcua.digitisation.models
import motcua.dossiers.models
import motcua.exchange.models
import motcua.feedback.models
import motcua.indicators.models
import motcua.notifications.models
import motcua.reorganisation.models
import motcua.staff.models
import motcua.units.stored  # noqa: F401
