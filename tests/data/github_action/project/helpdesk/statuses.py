TICKET_STATUSES = ("open", "pending", "closed")
