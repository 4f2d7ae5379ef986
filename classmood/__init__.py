"""The ``classmood`` command: a thin layer over the packages (bot, analytics, model, training).

``classmood`` may import any package of the project; no package imports it.
"""
