"""The only package that imports reflex: states, layout, components and pages."""
