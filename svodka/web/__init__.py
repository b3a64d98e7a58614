"""svodka's web layer: the analyst's workbench (HTTP API and pages) over a
knowledge base, read-only. ``create_app(db_path)`` builds the application;
``svodka serve --db FILE`` runs it."""
from .app import create_app

__all__ = ["create_app"]
