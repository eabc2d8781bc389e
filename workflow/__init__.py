"""CouncilFlow's domain: the state machine, the rules of time, the models and the service.

This package must not import FastAPI or APScheduler (a test enforces it), so that the rules
hold the same whether a request, a scheduler job or a command line fires an event.
"""
