"""Tasks run per package: what they are (definitions), what their results depend on (files,
keys), where results are kept (cache), where they run (envs, runner) and how many at once
(scheduler). Reusable below the operations: `proto run` uses it, and so can anything that needs
to know whether a task passes on some version of the workspace."""
