"""The viewer page's template, stylesheet and script, inlined by :mod:`mechmap.diagrams.viewer`."""
