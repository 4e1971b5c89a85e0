"""Every officer reads and marks their own notifications (nobody else's: selectors and services filter by recipient)."""

import rules

from casework.org.rules import is_officer

rules.add_perm("notifications.view_notification", is_officer)
