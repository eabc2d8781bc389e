"""Procurement law for every modification of a contract (issue 9, SPEC §9): the two regimes,
their lawful grounds as data, the figures computed from agreements and the proposal, and the
verdict the ``lawful_modification`` guard and the case answers read."""
