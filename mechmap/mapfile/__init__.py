"""Map and vignette files: safe YAML with positions, the format's schema, loading into a
:class:`~mechmap.model.Map` with every problem located, graph checks, the vignette library and
its evidence, and writing maps back."""
