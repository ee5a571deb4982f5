"""The Oracle Cloud Infrastructure adapter: Resource Search first, the compartment tree once, specs as data."""
