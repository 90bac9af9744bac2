"""Lambda function sources, packaged by the stacks at synth (see modules/package.py)."""
