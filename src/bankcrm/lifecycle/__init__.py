"""Customer lifecycle stages: rules over the monthly snapshot, stage history, playbook tasks, distribution and flows."""
