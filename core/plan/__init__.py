"""The plan itself: the model (goals, sub-goals, indicators, measures, values), reading it from
data/, the rules of plans and their periods, the status rules and the aikataulu reader."""
