"""Measuring recurrent networks: training loops, probes, benchmarks, verdicts.

``training`` (step-budgeted training with a learning curve), ``resilience`` (crash and
resume), ``gradient_tools`` (gradient norms, clipping, spectral radius), ``probes`` (Jacobians
through time), ``gates`` (gate activations), ``bench`` (cells against Keras' layers:
``python -m companion.experiments.bench``), ``scan_timing`` (time against sequence length),
``comparison`` (the seeds' claims and their verdicts).

May import every sub-package but ``companion.views``.
"""
