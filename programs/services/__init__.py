"""Writes of the programs app, one module per subject:

- exercises: the exercise library
- programs: start, advance, pause, complete, refer; prescriptions
- check_ins: submit and evaluate
"""
