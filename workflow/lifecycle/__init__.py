"""The case lifecycle: the machine table, its guards, firing events, the case as loaded and
as read (views), creating and amending drafts, and consultations."""
