"""CouncilFlow's command line: ``councilflow serve``, ``scheduler``, ``db upgrade``, ``demo``."""
