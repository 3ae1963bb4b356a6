"""Quality assurance: scorecards, evaluations, disputes, the weekly sample and QA scores."""
