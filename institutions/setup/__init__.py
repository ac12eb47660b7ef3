"""Reading the institution set-up file (YAML): nodes that know their line, typed field
readers, one loader per section of the file, and the prune of what left it.

`institutions.loader.load` is the entry point; `institutions.actions.load_setup` is the
audited way to call it.
"""
