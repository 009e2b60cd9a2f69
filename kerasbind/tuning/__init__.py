"""Automatic model selection (paper section 2.3): the Table 2 search space, a cross-validating
KerasTuner tuner that also picks the number of learning steps, and the final best-of-N training."""
