"""Territoires d'engagement: initiatives of the collectif over French territories.

The domain package. It never imports streamlit, except in ``territoires.ui``.
"""

__version__ = "0.1.0"
