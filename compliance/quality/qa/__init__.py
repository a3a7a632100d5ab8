"""Quality assurance: auto-QA of every session (the pure `autoqa` checks), versioned scorecards (the pure
`scoring`), sampling plans, inspectors' reviews, agents' disputes and calibration rounds."""
